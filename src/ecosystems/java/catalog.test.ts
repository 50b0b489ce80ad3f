import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import type { Package } from '../../core/types.js';
import type { FileVersion, FileView } from '../../analysis/analyzer.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { requireAll } from '../../../test/support/require.js';
import { java, type JavaData } from './catalog.js';
import { loadFixtures, type Built, type Loaded } from './fixtures/build.js';
import { sha1sum } from './fixtures/debian.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';

const PROJECT = join(import.meta.dirname, 'fixtures', 'project');

let loaded: Loaded = { need: {} };
let fx: Built | undefined;
let tree: TempDir | undefined;
before(async () => {
  loaded = loadFixtures();
  fx = loaded.built;
  if (!fx) return;
  tree = await makeTempDir('bulwark-java-');
  const put = (from: string, to: string): void => {
    mkdirSync(join(tree!.path, to, '..'), { recursive: true });
    copyFileSync(from, join(tree!.path, to));
  };
  put(join(fx.root, 'usr/share/java/commons-lang3.jar'), 'usr/share/java/commons-lang3.jar');
  for (const n of ['demo-app-0.0.1-SNAPSHOT.jar', 'logging.jar', 'plain.jar']) put(join(fx.dir, n), `opt/app/${n}`);
  put(join(PROJECT, 'pom.xml'), 'src/orders/pom.xml');
  put(join(PROJECT, 'gradle.lockfile'), 'src/orders/gradle.lockfile');
  writeFileSync(join(tree.path, 'opt/app/broken.war'), 'not a zip at all');
});
after(() => tree?.remove());

// by coordinates, then by where in the archives each was found
const byCoordinates = (a: Package, b: Package): number =>
  a.name.localeCompare(b.name) ||
  a.version.localeCompare(b.version) ||
  (a.metadata?.location ?? '').localeCompare(b.metadata?.location ?? '');

function fixture(t: TestContext): { fx: Built; dir: string } | undefined {
  if (!requireAll(t, loaded.need)) return undefined;
  assert.ok(fx && tree, 'fixture was built');
  return { fx, dir: tree.path };
}

test('wants: archives of any location in both targets (not empty; a huge one is for the walker to report); pom.xml and gradle.lockfile only in fs', () => {
  const f = { size: 1000, mode: 0o644 };
  assert.equal(java.wants('usr/share/java/x.jar', f, 'image', DEFAULT_LIMITS), true);
  assert.equal(java.wants('srv/jenkins/plugins/git.hpi', f, 'image', DEFAULT_LIMITS), true);
  assert.equal(java.wants('a/b.WAR', f, 'fs', DEFAULT_LIMITS), true);
  assert.equal(java.wants('a/empty.jar', { size: 0, mode: 0o644 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(java.wants('a/huge.jar', { size: 2 ** 40, mode: 0o644 }, 'image', DEFAULT_LIMITS), true);
  assert.equal(java.wants('src/pom.xml', f, 'image', DEFAULT_LIMITS), false);
  assert.equal(java.wants('src/pom.xml', f, 'fs', DEFAULT_LIMITS), true);
  assert.equal(java.wants('gradle.lockfile', f, 'fs', DEFAULT_LIMITS), true);
  assert.equal(java.wants('a/x.jar.sha1', f, 'fs', DEFAULT_LIMITS), false);
});

test('an image: every archive and nested archive, path of the outer file, location and sha1 in metadata, issues for the rest', async (t) => {
  const x = fixture(t);
  if (!x) return;
  const { packages, issues } = await catalogDir(java, x.dir, 'image', { order: byCoordinates });
  assert.deepEqual(
    packages.map((p) => [p.name, p.version, p.path, p.metadata?.location, p.purl]),
    [
      [
        'com.example:demo-app',
        '0.0.1-SNAPSHOT',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar',
        'pkg:maven/com.example/demo-app@0.0.1-SNAPSHOT',
      ],
      [
        'com.fasterxml.jackson.core:jackson-core',
        '2.14.1',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar!/BOOT-INF/lib/jackson-core-2.14.1.jar',
        'pkg:maven/com.fasterxml.jackson.core/jackson-core@2.14.1',
      ],
      [
        'org.apache.commons:commons-lang3',
        '3.12.0',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar',
        'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
      ],
      [
        'org.apache.commons:commons-lang3',
        '3.12.0',
        '/usr/share/java/commons-lang3.jar',
        '/usr/share/java/commons-lang3.jar',
        'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
      ],
      [
        'org.slf4j:slf4j-api',
        '1.7.32',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar',
        '/opt/app/demo-app-0.0.1-SNAPSHOT.jar!/BOOT-INF/lib/slf4j-api-1.7.32.jar',
        'pkg:maven/org.slf4j/slf4j-api@1.7.32',
      ],
      ['slf4j-api', '1.7.32', '/opt/app/logging.jar', '/opt/app/logging.jar', ''],
    ],
  );
  for (const p of packages) {
    assert.equal(p.ecosystem, 'maven');
    assert.deepEqual(p.files, []);
    assert.deepEqual(p.layer, { index: 0, diffId: '' });
  }
  const lang = packages.find((p) => p.path === '/usr/share/java/commons-lang3.jar')!;
  assert.deepEqual(lang.metadata, {
    location: '/usr/share/java/commons-lang3.jar',
    identifiedBy: 'pom.properties',
    sha1: sha1sum(join(x.fx.root, 'usr/share/java/commons-lang3.jar')),
  });
  assert.equal(
    packages.find((p) => p.metadata?.location?.endsWith('!/BOOT-INF/lib/commons-lang3-3.12.0.jar'))!.metadata!.sha1,
    lang.metadata!.sha1,
  );
  assert.deepEqual(issues.map((i) => [i.path, i.message.replace(/^\/opt\/app\/\S+: /, '')]).sort(), [
    ['/opt/app/broken.war', 'not a ZIP archive (no end of central directory)'],
    [
      '/opt/app/logging.jar',
      'package "slf4j-api" has no valid purl: slf4j-api: groupId unknown, and a Maven purl requires one',
    ],
    ['/opt/app/plain.jar', 'not identified: no version in pom.properties, manifest or file name'],
  ]);
});

test('a source tree also reads pom.xml and gradle.lockfile, and says what the pom alone cannot pin', async (t) => {
  const x = fixture(t);
  if (!x) return;
  const { packages, issues } = await catalogDir(java, x.dir, 'fs', { order: byCoordinates });
  const declared = packages
    .filter((p) => p.path.startsWith('/src/'))
    .map((p) => [p.name, p.version, p.path, p.metadata?.role ?? p.metadata?.configurations]);
  assert.deepEqual(declared, [
    ['com.example.platform:orders-api', '5.1.0', '/src/orders/pom.xml', 'dependency'],
    ['com.example.platform:orders-service', '5.1.0', '/src/orders/pom.xml', 'project'],
    [
      'com.fasterxml.jackson.core:jackson-core',
      '2.14.1',
      '/src/orders/gradle.lockfile',
      'compileClasspath,runtimeClasspath',
    ],
    ['com.fasterxml.jackson.core:jackson-core', '2.14.1', '/src/orders/pom.xml', 'dependency'],
    [
      'org.apache.commons:commons-lang3',
      '3.12.0',
      '/src/orders/gradle.lockfile',
      'compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath',
    ],
    ['org.apache.commons:commons-lang3', '3.12.0', '/src/orders/pom.xml', 'dependency'],
    ['org.slf4j:slf4j-api', '1.7.32', '/src/orders/gradle.lockfile', 'runtimeClasspath,testRuntimeClasspath'],
    ['org.slf4j:slf4j-api', '1.7.32', '/src/orders/pom.xml', 'dependency'],
  ]);
  assert.equal(
    packages.find((p) => p.name === 'org.slf4j:slf4j-api' && p.path === '/src/orders/pom.xml')!.metadata!.scope,
    'provided',
  );
  assert.deepEqual(packages.find((p) => p.metadata?.role === 'project')!.licenses, ['Apache-2.0']);
  // the pom's own project is the application component, and nothing else is
  assert.deepEqual(
    packages.filter((p) => p.role === 'application').map((p) => p.name),
    ['com.example.platform:orders-service'],
  );
  const pomIssue = issues.find((i) => i.path === '/src/orders/pom.xml');
  assert.match(
    pomIssue!.message,
    /^3 declaration\(s\) not pinned by this pom alone: org\.junit\.jupiter:junit-jupiter \(no version/,
  );
});

test('an archive is attributed to the layer that last changed it', () => {
  const jar = (version: string, sha1: string): JavaData => ({
    kind: 'archive',
    warnings: [],
    packages: [
      {
        groupId: 'g',
        artifactId: 'a',
        version,
        licenses: [],
        sha1,
        location: '/app/a.jar',
        identifiedBy: 'pom.properties',
      },
    ],
  });
  const view = (history: FileVersion<JavaData>[]): FileView<JavaData> => ({
    paths: () => ['app/a.jar'],
    get: () => history.at(-1),
    history: () => history,
  });
  const l = (index: number): { index: number; diffId: string } => ({ index, diffId: `sha256:${index}` });
  const ctx = { os: null, issue: () => assert.fail('no issue expected') };
  assert.deepEqual(
    java.catalog(
      view([
        { layer: l(0), data: jar('1.0', 'aa') },
        { layer: l(2), data: jar('1.0', 'aa') },
      ]),
      ctx,
    )[0]!.layer,
    l(0),
  );
  assert.deepEqual(
    java.catalog(
      view([
        { layer: l(0), data: jar('1.0', 'aa') },
        { layer: l(2), data: jar('1.1', 'bb') },
      ]),
      ctx,
    )[0]!.layer,
    l(2),
  );
  assert.equal(
    java.purl!({ ...java.catalog(view([{ layer: l(0), data: jar('1.0', 'aa') }]), ctx)[0]! }),
    'pkg:maven/g/a@1.0',
  );
});
