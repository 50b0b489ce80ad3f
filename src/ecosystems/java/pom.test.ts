import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { useJavaFixtures } from './fixtures/build.js';
import { parseGradleLockfile } from './gradle.js';
import { parsePom } from './pom.js';
import { throwsCode } from '../../../test/support/codes.js';

const PROJECT = join(import.meta.dirname, 'fixtures', 'project');

const fixture = useJavaFixtures();

test('pom.xml: parent fallback, properties of this pom resolved, the rest listed as unresolved', () => {
  const pom = parsePom(readFileSync(join(PROJECT, 'pom.xml'), 'utf8'));
  assert.deepEqual(pom.project, {
    groupId: 'com.example.platform',
    artifactId: 'orders-service',
    version: '5.1.0',
    licenses: ['Apache-2.0'],
  });
  assert.deepEqual(pom.dependencies, [
    { groupId: 'com.fasterxml.jackson.core', artifactId: 'jackson-core', version: '2.14.1' },
    { groupId: 'org.apache.commons', artifactId: 'commons-lang3', version: '3.12.0' },
    { groupId: 'com.example.platform', artifactId: 'orders-api', version: '5.1.0' },
    { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: '1.7.32', scope: 'provided' },
  ]);
  assert.deepEqual(pom.unresolved, [
    'org.junit.jupiter:junit-jupiter (no version: managed by a parent or BOM)',
    'io.netty:netty-handler (${netty.version}: not resolvable from this pom)',
    'org.yaml:snakeyaml (version range [1.33,2.0))',
  ]);
});

test("real poms from Debian's jars: slf4j-api inherits nothing it needs; commons-lang3's test dependencies are read", (t) => {
  const f = fixture(t);
  if (!f) return;
  const root = f.root;
  const pomOf = (jar: string): string =>
    execFileSync('unzip', ['-p', join(root, 'usr/share/java', jar), 'META-INF/maven/*/*/pom.xml'], {
      encoding: 'utf8',
    });
  const slf4j = parsePom(pomOf('slf4j-api.jar'));
  assert.deepEqual(slf4j.project, { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: '1.7.32', licenses: [] });
  assert.deepEqual(slf4j.dependencies, []);
  const lang = parsePom(pomOf('commons-lang3.jar'));
  assert.equal(
    `${lang.project?.groupId}:${lang.project?.artifactId}@${lang.project?.version}`,
    'org.apache.commons:commons-lang3@3.12.0',
  );
  // Debian rewrites dependency versions to "debian"; the scopes are upstream's
  assert.deepEqual(lang.dependencies.map((d) => `${d.artifactId}@${d.version}/${d.scope}`).sort(), [
    'easymock@debian/test',
    'jsr305@debian/test',
    'junit-jupiter@debian/test',
  ]);
});

test('malformed pom.xml throws with the reason', () => {
  throwsCode(() => parsePom('<project><version>1</project>'), 'CORRUPT', 'line 1');
  throwsCode(() => parsePom('<settings><x>1</x></settings>'), 'UNKNOWN_FORMAT', 'pom.xml');
  throwsCode(() => parsePom('<project><version><a>1</a></version></project>'), 'UNKNOWN_FORMAT', 'pom.xml');
});

test('property: any text is parsed or refused with an Error, never anything else', () => {
  const xmlish = fc.array(
    fc.oneof(
      fc.constantFrom(
        '<project>',
        '</project>',
        '<version>',
        '</version>',
        '<dependencies>',
        '<dependency>',
        '</dependency>',
        '${',
        '}',
        '&amp;',
        '<!DOCTYPE x [<!ENTITY a "b">]>',
        '<properties>',
        '</properties>',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 30 },
  );
  fc.assert(
    fc.property(xmlish, (parts) => {
      try {
        parsePom(parts.join(''));
      } catch (e) {
        assert.ok(e instanceof Error, String(e));
      }
    }),
    { numRuns: 200 },
  );
});

test('gradle.lockfile: coordinates and configurations; a malformed line throws with its number', () => {
  const lock = parseGradleLockfile(readFileSync(join(PROJECT, 'gradle.lockfile'), 'utf8'));
  assert.deepEqual(
    lock.dependencies.map((d) => [`${d.groupId}:${d.artifactId}@${d.version}`, d.configurations.join(',')]),
    [
      ['com.fasterxml.jackson.core:jackson-core@2.14.1', 'compileClasspath,runtimeClasspath'],
      [
        'org.apache.commons:commons-lang3@3.12.0',
        'compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath',
      ],
      ['org.slf4j:slf4j-api@1.7.32', 'runtimeClasspath,testRuntimeClasspath'],
    ],
  );
  throwsCode(() => parseGradleLockfile('# header\norg.example:only-two=compileClasspath\n'), 'CORRUPT', 'line 2');
});
