import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { scanRootfs } from '../../scan/scan.js';
import { parseApkInstalled } from './catalog.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'alpine-3.19');

test('an Alpine installed database lists each package with version, arch, origin, licence and files', async () => {
  const { inventory } = await scanRootfs(FIXTURE, 'alpine');
  assert.deepEqual(inventory.os, {
    family: 'alpine',
    version: '3.19.0',
    name: 'Alpine Linux',
    prettyName: 'Alpine Linux v3.19',
  });
  assert.deepEqual(
    inventory.packages.map((p) => [p.name, p.version, p.arch, p.source?.name, p.licenses.join(' ')]),
    [
      ['busybox', '1.36.1-r15', 'x86_64', 'busybox', 'GPL-2.0-only'],
      ['libcrypto3', '3.1.4-r2', 'x86_64', 'openssl', 'Apache-2.0'],
      ['musl', '1.2.4_git20230717-r4', 'x86_64', 'musl', 'MIT'],
      ['ssl_client', '1.36.1-r15', 'x86_64', 'busybox', 'GPL-2.0-only'],
    ],
  );
  const busybox = inventory.packages.find((p) => p.name === 'busybox')!;
  assert.deepEqual(busybox.files, ['/bin/busybox', '/bin/sh', '/etc/securetty', '/usr/share/udhcpc/default.script']);
  assert.equal(busybox.purl, 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.0');
});

test('malformed apk databases fail with the line, never silently', () => {
  throwsCode(() => parseApkInstalled('P:x\nno colon here\n'), 'CORRUPT', 'line 2');
  throwsCode(() => parseApkInstalled('V:1.0\nA:x86_64\n\n'), 'MISSING_FIELD', 'line 3');
});

test('property: any database of well-formed records round-trips names, versions and files', () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/);
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          name,
          version: fc.stringMatching(/^[0-9][0-9a-z._-]{0,12}-r[0-9]{1,2}$/),
          files: fc.array(name, { maxLength: 4 }),
        }),
        { maxLength: 8 },
      ),
      (recs) => {
        const text = recs
          .map((r) => [`P:${r.name}`, `V:${r.version}`, 'F:usr/lib', ...r.files.map((f) => `R:${f}`)].join('\n'))
          .join('\n\n');
        const parsed = parseApkInstalled(text);
        assert.deepEqual(
          parsed.map((p) => [p.name, p.version, p.files]),
          recs.map((r) => [r.name, r.version, r.files.map((f) => `/usr/lib/${f}`)]),
        );
      },
    ),
    { numRuns: 200 },
  );
});
