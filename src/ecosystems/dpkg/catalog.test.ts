import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { scanRootfs } from '../../scan/scan.js';
import { have, requireAll } from '../../../test/support/require.js';
import { parseParagraphs } from './control.js';
import { licencesFromCopyright } from './copyright.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'bookworm');

/** dpkg's own view of the same database: Debian's dpkg-query, reading (never running) the fixture. */
function dpkgQuery(admindir: string): string[] {
  const r = spawnSync(
    'dpkg-query',
    [
      `--admindir=${admindir}`,
      '-W',
      '-f',
      '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').sort();
}

test('a real bookworm dpkg status lists every package with the version, source and arch dpkg-query reports', async (t) => {
  if (!requireAll(t, { 'dpkg-query': have('dpkg-query') })) return;
  const { inventory } = await scanRootfs(FIXTURE, 'fixture');
  const ours = inventory.packages
    .map((p) => [p.name, p.version, p.source?.name, p.source?.version, p.arch].join('\t'))
    .sort();
  assert.deepEqual(ours, dpkgQuery(join(FIXTURE, 'var/lib/dpkg')));
  const libc = inventory.packages.find((p) => p.name === 'libc6')!;
  assert.equal(libc.source?.name, 'glibc');
  assert.ok(libc.files.includes('/lib/x86_64-linux-gnu/libc.so.6'), 'libc6 owns libc.so.6 (from libc6:amd64.list)');
  assert.ok(inventory.packages.find((p) => p.name === 'bash')!.licenses.includes('GPL-3+'));
  assert.deepEqual(inventory.packages.find((p) => p.name === 'zlib1g')!.licenses, ['Zlib']);
  assert.ok(
    inventory.packages.every(
      (p) =>
        p.path === '/var/lib/dpkg/status' &&
        decodeURIComponent(p.purl).startsWith(`pkg:deb/debian/${p.name}@${p.version}`),
    ),
  );
});

test('removed packages that left config files behind are not installed', async () => {
  const tmp = await makeTempDir();
  try {
    const status = readFileSync(join(FIXTURE, 'var/lib/dpkg/status'), 'utf8').replace(
      /(Package: tzdata\nStatus: )install ok installed/,
      '$1deinstall ok config-files',
    );
    mkdirSync(join(tmp.path, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(tmp.path, 'var/lib/dpkg/status'), status);
    const { inventory } = await scanRootfs(tmp.path, 'x');
    assert.ok(!inventory.packages.some((p) => p.name === 'tzdata'));
    assert.equal(inventory.packages.length, parseParagraphs(status).length - 1);
  } finally {
    await tmp.remove();
  }
});

test('distroless status.d: one paragraph per file, files from .md5sums, marked distroless', async () => {
  const tmp = await makeTempDir();
  try {
    const paras = readFileSync(join(FIXTURE, 'var/lib/dpkg/status'), 'utf8')
      .split('\n\n')
      .filter((p) => /^Package: (libc6|base-files|tzdata)$/m.test(p));
    mkdirSync(join(tmp.path, 'var/lib/dpkg/status.d'), { recursive: true });
    for (const p of paras)
      writeFileSync(join(tmp.path, 'var/lib/dpkg/status.d', /^Package: (\S+)/m.exec(p)![1]!), `${p}\n`);
    writeFileSync(
      join(tmp.path, 'var/lib/dpkg/status.d/tzdata.md5sums'),
      'd41d8cd98f00b204e9800998ecf8427e  usr/share/zoneinfo/UTC\n',
    );
    cpSync(join(FIXTURE, 'var/lib/dpkg/status'), join(tmp.path, 'unrelated-status')); // not a database path: ignored
    mkdirSync(join(tmp.path, 'etc'));
    writeFileSync(
      join(tmp.path, 'etc/os-release'),
      'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    );
    writeFileSync(join(tmp.path, 'var/lib/dpkg/status.d/broken'), 'Package: x\n continuation\nnot a field\n');
    const { inventory } = await scanRootfs(tmp.path, 'x');
    assert.deepEqual(inventory.packages.map((p) => p.name).sort(), ['base-files', 'libc6', 'tzdata']);
    assert.deepEqual(inventory.os, {
      family: 'debian',
      version: '12',
      name: 'Debian GNU/Linux',
      prettyName: 'Distroless',
      codename: 'bookworm',
      distroless: true,
    });
    assert.deepEqual(inventory.packages.find((p) => p.name === 'tzdata')!.files, ['/usr/share/zoneinfo/UTC']);
    assert.equal(inventory.packages.find((p) => p.name === 'libc6')!.path, '/var/lib/dpkg/status.d/libc6');
    assert.equal(inventory.issues.length, 1, 'the malformed entry is reported, not skipped silently');
    assert.match(inventory.issues[0]!.message, /line 3: expected "Field: value"/);
    assert.equal(inventory.issues[0]!.path, '/var/lib/dpkg/status.d/broken');
  } finally {
    await tmp.remove();
  }
});

test('copyright licences: DEP-5 License fields, else common-licenses references', () => {
  assert.deepEqual(licencesFromCopyright(readFileSync(join(FIXTURE, 'usr/share/doc/zlib1g/copyright'), 'utf8')), [
    'Zlib',
  ]);
  assert.deepEqual(
    licencesFromCopyright('See /usr/share/common-licenses/GPL-2.\nand /usr/share/common-licenses/LGPL-2.1'),
    ['GPL-2', 'LGPL-2.1'],
  );
});
