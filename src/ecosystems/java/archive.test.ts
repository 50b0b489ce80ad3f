import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { readArchive, type JarPackage } from './archive.js';
import { BUNDLED, LONG_TITLE, useJavaFixtures } from './fixtures/build.js';
import { sha1sum } from './fixtures/debian.js';
import { writeZip } from './fixtures/zip-writer.js';

const fixture = useJavaFixtures();

const read = (dir: string, name: string): ReturnType<typeof readArchive> =>
  readArchive(readFileSync(join(dir, name)), `/app/${name}`);
const coords = (p: JarPackage): string => `${p.groupId ?? ''}:${p.artifactId}@${p.version}`;

test("Debian's jars: group, artifact and version as Debian's maven-repo layout files them, sha1 as sha1sum computes it", (t) => {
  const f = fixture(t);
  if (!f) return;
  // the oracle: usr/share/maven-repo/<group path>/<artifact>/<version>/<artifact>-<version>.jar links to the jar
  const repo = join(f.root, 'usr/share/maven-repo');
  const expected = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (lstatSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.jar') && lstatSync(p).isSymbolicLink()) {
        const parts = relative(repo, p).split('/');
        const [artifact, version] = parts.slice(-3, -1);
        // Debian also files each jar under "debian" and "3.x" style aliases: the release directory is the oracle
        if (/^\d+(\.\d+)+$/.test(version!))
          expected.set(resolve(dirname(p), readlinkSync(p)), `${parts.slice(0, -3).join('.')}:${artifact}@${version}`);
      }
    }
  };
  walk(repo);
  const jars = readdirSync(join(f.root, 'usr/share/java')).filter((n) =>
    lstatSync(join(f.root, 'usr/share/java', n)).isFile(),
  );
  assert.ok(jars.length >= 12);
  for (const name of jars) {
    const path = join(f.root, 'usr/share/java', name);
    const { packages, warnings } = readArchive(readFileSync(path), `/usr/share/java/${name}`);
    assert.deepEqual(warnings, []);
    assert.equal(packages.length, 1, name);
    assert.equal(coords(packages[0]!), expected.get(path), name);
    assert.equal(packages[0]!.sha1, sha1sum(path));
    assert.equal(packages[0]!.identifiedBy, 'pom.properties');
  }
  // and the versions are the upstream parts of the Debian package versions
  const lang = readArchive(readFileSync(join(f.root, 'usr/share/java/commons-lang3.jar')), '/x.jar').packages[0]!;
  assert.equal(lang.version, f.versions.get('libcommons-lang3-java')!.split('-')[0]);
});

test('a Spring Boot fat jar: the application, then each BOOT-INF/lib jar with its own location and sha1', (t) => {
  const f = fixture(t);
  if (!f) return;
  for (const name of ['demo-app-0.0.1-SNAPSHOT.jar', 'demo-app-exec.jar']) {
    const { packages, warnings } = read(f.dir, name);
    assert.deepEqual(warnings, []);
    assert.deepEqual(packages[0], {
      groupId: 'com.example',
      artifactId: 'demo-app',
      version: '0.0.1-SNAPSHOT',
      licenses: [],
      sha1: sha1sum(join(f.dir, name)),
      location: `/app/${name}`,
      identifiedBy: 'pom.properties',
    });
    const nested = packages.slice(1).sort((a, b) => a.location.localeCompare(b.location));
    assert.deepEqual(nested.map(coords), [
      'org.apache.commons:commons-lang3@3.12.0',
      'com.fasterxml.jackson.core:jackson-core@2.14.1',
      'org.slf4j:slf4j-api@1.7.32',
    ]);
    for (const p of nested) {
      const deb = Object.entries(BUNDLED).find(([, as]) => p.location.endsWith(`!/BOOT-INF/lib/${as}`))![0];
      assert.equal(p.sha1, sha1sum(join(f.root, 'usr/share/java', deb)), p.location);
    }
  }
});

test('a WAR lists WEB-INF/lib; an EAR its modules, down into the WAR inside it', (t) => {
  const f = fixture(t);
  if (!f) return;
  const war = read(f.dir, 'shop-2.3.war').packages;
  const byLocation = (ps: JarPackage[]): string[][] =>
    ps.map((p) => [coords(p), p.location]).sort((a, b) => a[1]!.localeCompare(b[1]!));
  assert.deepEqual(byLocation(war), [
    ['com.example:shop@2.3', '/app/shop-2.3.war'],
    ['com.fasterxml.jackson.core:jackson-core@2.14.1', '/app/shop-2.3.war!/WEB-INF/lib/jackson-core-2.14.1.jar'],
    ['org.slf4j:slf4j-api@1.7.32', '/app/shop-2.3.war!/WEB-INF/lib/slf4j-api-1.7.32.jar'],
  ]);
  assert.equal(war[0]!.sha1, sha1sum(join(f.dir, 'shop-2.3.war')));
  const ear = read(f.dir, 'suite-1.0.ear').packages;
  assert.deepEqual(ear[0], {
    artifactId: 'suite',
    version: '1.0',
    licenses: [],
    sha1: sha1sum(join(f.dir, 'suite-1.0.ear')),
    location: '/app/suite-1.0.ear',
    identifiedBy: 'file name',
  });
  const inner = ear.find((p) => p.location === '/app/suite-1.0.ear!/shop-2.3.war!/WEB-INF/lib/slf4j-api-1.7.32.jar');
  assert.equal(inner?.sha1, sha1sum(join(f.root, 'usr/share/java/slf4j-api.jar')));
  assert.ok(
    ear.some(
      (p) =>
        coords(p) === 'org.apache.commons:commons-lang3@3.12.0' &&
        p.location === '/app/suite-1.0.ear!/lib/commons-lang3-3.12.0.jar',
    ),
  );
});

test('a shaded jar: the pom.properties matching the file name is the archive, the others are embedded packages', (t) => {
  const f = fixture(t);
  if (!f) return;
  const { packages } = read(f.dir, 'uber-1.0.jar');
  assert.deepEqual(
    packages.map((p) => [coords(p), p.location, p.sha1 !== undefined]),
    [
      ['com.example:uber@1.0', '/app/uber-1.0.jar', true],
      [
        'org.apache.commons:commons-lang3@3.12.0',
        '/app/uber-1.0.jar!/META-INF/maven/org.apache.commons/commons-lang3/pom.properties',
        false,
      ],
      ['org.slf4j:slf4j-api@1.7.32', '/app/uber-1.0.jar!/META-INF/maven/org.slf4j/slf4j-api/pom.properties', false],
    ],
  );
  // zip64-app-1.0.jar holds one pom.properties whose artifact is not in its versioned name: it is embedded
  const z = read(f.dir, 'zip64-app-1.0.jar').packages;
  assert.equal(coords(z[0]!), ':zip64-app@1.0');
  assert.ok(z.some((p) => p.location.endsWith('!/META-INF/maven/com.example/demo-app/pom.properties')));
});

test('a jar known only by its manifest (lines wrapped at 72 bytes by jar), and one known only by its file name', (t) => {
  const f = fixture(t);
  if (!f) return;
  const mf = execFileSync('unzip', ['-p', join(f.dir, 'tool.jar'), 'META-INF/MANIFEST.MF'], { encoding: 'utf8' });
  assert.match(mf, /\r\n [^\r\n]+/, 'jar wrote continuation lines');
  assert.deepEqual(read(f.dir, 'tool.jar').packages, [
    {
      groupId: 'org.example.bulwark',
      artifactId: LONG_TITLE,
      version: '7.8.9',
      licenses: ['Apache-2.0', 'MIT'],
      sha1: sha1sum(join(f.dir, 'tool.jar')),
      location: '/app/tool.jar',
      identifiedBy: 'manifest',
    },
  ]);
  // slf4j-api with META-INF/maven deleted by zip -d, renamed: Implementation-Title names it
  assert.deepEqual(
    read(f.dir, 'logging.jar').packages.map((p) => [coords(p), p.identifiedBy]),
    [[':slf4j-api@1.7.32', 'manifest']],
  );
  assert.deepEqual(
    read(f.dir, 'widget-4.5.6.jar').packages.map((p) => [coords(p), p.identifiedBy]),
    [[':widget@4.5.6', 'file name']],
  );
  const plain = read(f.dir, 'plain.jar');
  assert.deepEqual(plain.packages, []);
  assert.deepEqual(plain.warnings, [
    '/app/plain.jar: not identified: no version in pom.properties, manifest or file name',
  ]);
});

test('nesting stops at depth 3 with a warning; a damaged nested archive is a warning, its siblings still read', () => {
  let inner = writeZip([{ name: 'README', data: Buffer.from('x') }]);
  for (let d = 4; d >= 1; d--) inner = writeZip([{ name: `lib/l${d}-1.${d}.jar`, data: inner }]);
  const deep = readArchive(inner, '/l0-1.0.jar');
  assert.deepEqual(
    deep.packages.map((p) => `${p.artifactId}@${p.version}`),
    ['l0@1.0', 'l1@1.1', 'l2@1.2', 'l3@1.3'],
  );
  assert.deepEqual(deep.warnings, [
    '/l0-1.0.jar!/lib/l1-1.1.jar!/lib/l2-1.2.jar!/lib/l3-1.3.jar!/lib/l4-1.4.jar: not read: archives nested more than 3 deep',
  ]);
  const good = writeZip([{ name: 'README', data: Buffer.from('x') }]);
  const outer = writeZip([
    { name: 'WEB-INF/lib/broken-1.0.jar', data: Buffer.from('PK\u0003\u0004 not really a zip') },
    { name: 'WEB-INF/lib/good-2.0.jar', data: good, deflate: true },
  ]);
  const r = readArchive(outer, '/site-3.0.war');
  assert.deepEqual(
    r.packages.map((p) => `${p.artifactId}@${p.version}`),
    ['site@3.0', 'good@2.0'],
  );
  assert.equal(r.warnings.length, 1);
  assert.match(
    r.warnings[0]!,
    /^\/site-3\.0\.war!\/WEB-INF\/lib\/broken-1\.0\.jar: no end of central directory: truncated ZIP archive$/,
  );
});
