import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { scanRootfs } from '../../scan/scan.js';
import { requireAll } from '../../../test/support/require.js';
import { buildRpmFixture, removeRpmFixture, TOOLS, type RpmFixture } from './fixtures/build.js';

// The rpm cataloger end to end: databases built by Debian's rpm tooling, placed where
// each distribution keeps them, scanned as a root filesystem.

let fx: RpmFixture | undefined;
let tmp: TempDir;
before(async () => {
  tmp = await makeTempDir();
  if (TOOLS.rpm && TOOLS.rpmbuild && TOOLS.db_load) fx = buildRpmFixture();
});
after(async () => {
  removeRpmFixture(fx);
  await tmp.remove();
});

const ALMA =
  'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n';

test('rpm packages from each database format and location, with OS purls and layer-independent results', async (t) => {
  if (!requireAll(t, TOOLS)) return;
  const f = fx!;
  const layouts: [string, Buffer][] = [
    ['var/lib/rpm/rpmdb.sqlite', f.sqlite],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', f.sqlite],
    ['var/lib/rpm/Packages', f.bdb[0]!],
    ['usr/lib/sysimage/rpm/Packages.db', f.ndb],
  ];
  for (const [path, bytes] of layouts) {
    const root = join(tmp.path, path.replace(/\//g, '_'));
    mkdirSync(join(root, path, '..'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, path), bytes);
    writeFileSync(join(root, 'etc/os-release'), ALMA);
    const { inventory } = await scanRootfs(root, 'alma');
    assert.equal(inventory.os?.family, 'almalinux');
    assert.deepEqual(inventory.issues, []);
    assert.deepEqual(
      inventory.packages.map((p) => [p.name, p.version, p.epoch, p.arch, p.files]),
      f.expected.map((r) => [
        r.name,
        `${r.epoch ? `${r.epoch}:` : ''}${r.version}-${r.release}`,
        r.epoch,
        r.arch,
        r.files,
      ]),
      path,
    );
    const alpha = inventory.packages.find((p) => p.name === 'bwalpha')!;
    assert.equal(alpha.purl, 'pkg:rpm/almalinux/bwalpha@1.2.3-4.el9?arch=noarch&distro=almalinux-9.4&epoch=2');
    assert.deepEqual(alpha.source, { name: 'bwalpha', version: '1.2.3-4.el9' });
    assert.equal(alpha.path, `/${path}`);
  }
});

test('a damaged rpm database is reported as a problem of that file, and the scan goes on', async () => {
  const root = join(tmp.path, 'damaged');
  mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
  writeFileSync(join(root, 'var/lib/rpm/Packages'), Buffer.from('definitely not berkeley db'.repeat(200)));
  const { inventory } = await scanRootfs(root, 'x');
  assert.equal(inventory.packages.length, 0);
  assert.equal(inventory.issues.length, 1);
  assert.equal(inventory.issues[0]!.path, '/var/lib/rpm/Packages');
  assert.equal(inventory.issues[0]!.analyzer, 'rpm');
});
