import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { openImage } from '../../image/open.js';
import { scanImage } from '../../scan/scan.js';
import { dockerArchive } from '../../../test/support/image-writer.js';
import { makeTar } from '../../../test/support/layers.js';
import { requireAll } from '../../../test/support/require.js';
import type { LayerRef, Package } from '../../core/types.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../analysis/layer-analysis.js';
import type { CheckResult } from '../check.js';
import { FS_CHECK_INFO } from './info.js';
import { fsFacts, type FsFact } from './analyzer.js';
import { FS_CHECKS } from './checks.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';

// Every filesystem check: an image (layers of files with modes) that fails it and one that
// passes, through the real analyzer and the union-filesystem merge.

interface F {
  path: string;
  mode?: number;
  content?: string;
}
const REG = 0o100000;

function layer(index: number, files: F[], whiteouts: string[] = []): { ref: LayerRef; analysis: LayerAnalysis } {
  const ref = { index, diffId: `sha256:${String(index).repeat(64)}` };
  const out: Record<string, { data?: unknown }> = {};
  for (const f of files) {
    const info = { size: (f.content ?? '').length, mode: f.mode ?? REG | 0o644 };
    if (fsFacts.wants(f.path, info, 'image', DEFAULT_LIMITS))
      out[f.path] = { data: fsFacts.parse(f.path, Buffer.from(f.content ?? ''), info) };
  }
  return { ref, analysis: { diffId: ref.diffId, whiteouts, opaqueDirs: [], files: { [fsFacts.id]: out } } };
}

function run(id: string, layers: ReturnType<typeof layer>[], packages: Partial<Package>[] = []): CheckResult[] {
  const view = viewFor<FsFact>(mergeLayers(layers), fsFacts.id);
  return FS_CHECKS[id]!(
    { view, packages: packages.map((p) => ({ files: [], ...p })) as Package[] },
    FS_CHECK_INFO.find((c) => c.id === id)!,
  );
}

const SHADOW_LOCKED = 'root:*:19000:0:99999:7:::\ndaemon:!:19000::::::\nnobody:!!:19000::::::\n';
const SHADOW_SET =
  'root:$6$salt$hashhashhash:19000:0:99999:7:::\napp:!$6$old$locked:19000::::::\nops:$y$j9T$abc$def:19000::::::\n';

const DPKG_PASSWD: Partial<Package> = {
  ecosystem: 'deb',
  name: 'passwd',
  version: '1:4.13+dfsg1-1',
  path: '/var/lib/dpkg/status',
  files: ['/usr/bin/passwd', '/usr/sbin/useradd'],
  layer: { index: 0, diffId: '' },
};
// merged /usr: dpkg lists /bin/wall, the file sits at /usr/bin/wall
const DPKG_WALL: Partial<Package> = {
  ecosystem: 'deb',
  name: 'bsdutils',
  version: '1:2.38.1-5+deb12u3',
  path: '/var/lib/dpkg/status',
  files: ['/bin/wall'],
  layer: { index: 0, diffId: '' },
};

const CASES: Record<
  string,
  {
    fail: ReturnType<typeof layer>[];
    pass: ReturnType<typeof layer>[];
    pkgs?: [Partial<Package>[], Partial<Package>[]];
    message: RegExp;
  }
> = {
  'BW-FS-001': {
    fail: [
      layer(0, [
        { path: 'usr/bin/passwd', mode: REG | 0o4755 },
        { path: 'usr/bin/wall', mode: REG | 0o2755 },
      ]),
    ],
    pass: [
      layer(0, [
        { path: 'usr/bin/passwd', mode: REG | 0o755 },
        { path: 'etc/setid-but-not-executable', mode: REG | 0o4644 },
        { path: 'usr/local/bin/app-helper', mode: REG | 0o4755 },
      ]),
    ],
    pkgs: [[DPKG_PASSWD, DPKG_WALL], [DPKG_PASSWD]],
    message: /is set-(user|group)-id \(mode (4755|2755)\), installed by deb package (passwd|bsdutils)$/,
  },
  'BW-FS-002': {
    fail: [layer(0, [{ path: 'opt/app/config.yaml', mode: REG | 0o666 }])],
    pass: [
      layer(0, [
        { path: 'tmp/scratch', mode: REG | 0o666 },
        { path: 'opt/app/config.yaml', mode: REG | 0o644 },
      ]),
    ],
    message: /\/opt\/app\/config\.yaml is writable by every user \(mode 0666\)/,
  },
  'BW-FS-003': {
    fail: [layer(0, [{ path: 'etc/shadow', content: SHADOW_SET }])],
    pass: [layer(0, [{ path: 'etc/shadow', content: SHADOW_LOCKED }])],
    message: /holds password hashes for root, ops$/,
  },
  'BW-FS-004': {
    fail: [layer(0, [{ path: 'src/app/.git/HEAD', content: 'ref: refs/heads/main\n' }])],
    pass: [layer(0, [{ path: 'src/app/.gitignore', content: 'node_modules\n' }])],
    message: /\/src\/app\/\.git is a git repository/,
  },
  'BW-FS-005': {
    fail: [
      layer(0, [
        {
          path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4',
          content: 'x'.repeat(2048),
        },
        { path: 'var/cache/apt/archives/curl_7.88.1-10_amd64.deb', content: 'deb' },
      ]),
    ],
    pass: [layer(0, [{ path: 'var/lib/apt/lists/lock' }, { path: 'var/cache/apt/archives/partial/.keep' }])],
    message: /keeps \d+ files? .* of package-manager cache/,
  },
  'BW-FS-006': {
    fail: [layer(0, [])],
    pass: [layer(0, [])],
    pkgs: [
      [
        {
          name: 'sudo',
          version: '1.9.13p3-1+deb12u1',
          ecosystem: 'deb',
          path: '/var/lib/dpkg/status',
          layer: { index: 0, diffId: '' },
        },
      ],
      [
        {
          name: 'sudo',
          version: '1.0',
          ecosystem: 'npm',
          path: '/app/node_modules/sudo/package.json',
          layer: { index: 0, diffId: '' },
        },
      ],
    ],
    message: /sudo 1\.9\.13p3-1\+deb12u1 is installed/,
  },
  'BW-FS-007': {
    fail: [
      layer(0, [
        { path: 'usr/local/bin/app-helper', mode: REG | 0o4755 },
        { path: 'opt/app/bin/report', mode: REG | 0o2755 },
      ]),
    ],
    pass: [
      layer(0, [
        { path: 'usr/bin/passwd', mode: REG | 0o4755 },
        { path: 'usr/local/bin/app-helper', mode: REG | 0o755 },
      ]),
    ],
    pkgs: [[DPKG_PASSWD], [DPKG_PASSWD]],
    message: /is set-(user|group)-id \(mode (4755|2755)\) and no OS package installed it$/,
  },
};

test('every filesystem check has a failing and a passing fixture', () => {
  const ids = FS_CHECK_INFO.filter((c) => c.id.startsWith('BW-FS-')).map((c) => c.id);
  assert.deepEqual(Object.keys(FS_CHECKS).sort(), ids.sort(), 'one implementation per catalog entry');
  for (const id of ids) {
    const c = CASES[id];
    assert.ok(c, `${id} has fixtures`);
    const failed = run(id, c.fail, c.pkgs?.[0]);
    assert.ok(failed.length > 0, `${id} fires on its failing fixture`);
    for (const r of failed) assert.match(r.message, c.message);
    assert.deepEqual(run(id, c.pass, c.pkgs?.[1]), [], `${id} stays quiet on its passing fixture`);
  }
});

test('a file is reported with the layer that introduced it, and not once a later layer deletes it', () => {
  const base = layer(0, [{ path: 'usr/bin/ping', mode: REG | 0o4755 }]);
  const app = layer(1, [{ path: 'usr/local/bin/helper', mode: REG | 0o4755 }]);
  const r = run('BW-FS-007', [base, app]);
  assert.deepEqual(
    r.map((x) => [x.location.path, x.location.layer?.index]),
    [
      ['/usr/bin/ping', 0],
      ['/usr/local/bin/helper', 1],
    ],
  );
  const cleaned = layer(2, [], ['usr/bin/ping']);
  assert.deepEqual(
    run('BW-FS-007', [base, app, cleaned]).map((x) => x.location.path),
    ['/usr/local/bin/helper'],
  );
  // shadow hashes: only user names, never the hash
  const shadow = run('BW-FS-003', [layer(0, [{ path: 'etc/shadow', content: SHADOW_SET }])]);
  assert.ok(!JSON.stringify(shadow).includes('hashhash'));
});

/** This machine's own dpkg records (Debian): the stanza and file list of a package, as a real image holds them. */
function hostDpkg(name: string): { stanza: string; list: string } | undefined {
  if (!existsSync('/var/lib/dpkg/status') || !existsSync(`/var/lib/dpkg/info/${name}.list`)) return undefined;
  const stanza = readFileSync('/var/lib/dpkg/status', 'utf8')
    .split('\n\n')
    .find((p) => p.startsWith(`Package: ${name}\n`));
  return stanza ? { stanza: `${stanza}\n`, list: readFileSync(`/var/lib/dpkg/info/${name}.list`, 'utf8') } : undefined;
}

test("set-id files in a layered image: the distribution's own are LOW, an application layer's (or one changed by a later layer) HIGH", async (t) => {
  const passwd = hostDpkg('passwd');
  const utilLinux = hostDpkg('util-linux');
  if (
    !requireAll(t, {
      'a Debian dpkg database on this machine (passwd, util-linux)': passwd !== undefined && utilLinux !== undefined,
    })
  )
    return;
  const tmp = await makeTempDir();
  try {
    const elf = '\x7fELF not really a program\n';
    const base = await makeTar([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
      { name: 'var/lib/dpkg/status', content: passwd!.stanza + '\n' + utilLinux!.stanza },
      { name: 'var/lib/dpkg/info/passwd.list', content: passwd!.list },
      { name: 'var/lib/dpkg/info/util-linux.list', content: utilLinux!.list },
      { name: 'usr/bin/passwd', content: elf, mode: 0o4755 },
      { name: 'usr/bin/su', content: elf, mode: 0o4755 }, // util-linux lists /bin/su
      { name: 'usr/sbin/useradd', content: elf, mode: 0o755 },
    ]);
    const app = await makeTar([
      { name: 'usr/local/bin/app-helper', content: elf, mode: 0o4755 },
      { name: 'usr/sbin/useradd', content: elf, mode: 0o4755 }, // a chmod u+s on a packaged file
    ]);
    const archive = join(tmp.path, 'catalog-setid.tar');
    writeFileSync(
      archive,
      await dockerArchive([
        { tar: base, createdBy: 'ADD rootfs' },
        { tar: app, createdBy: 'COPY app-helper' },
      ]),
    );
    const image = await openImage(archive);
    try {
      const { checks } = await scanImage(image, { cacheDir: null, checks: { secrets: false, misconfig: true } });
      const setid = (checks ?? [])
        .filter((c) => c.checkId === 'BW-FS-001' || c.checkId === 'BW-FS-007')
        .map((c) => [c.checkId, c.severity, c.location.path, c.location.layer?.index]);
      assert.deepEqual(setid, [
        ['BW-FS-001', 'LOW', '/usr/bin/passwd', 0],
        ['BW-FS-001', 'LOW', '/usr/bin/su', 0],
        ['BW-FS-007', 'HIGH', '/usr/local/bin/app-helper', 1],
        ['BW-FS-007', 'HIGH', '/usr/sbin/useradd', 1],
      ]);
    } finally {
      await image.close();
    }
  } finally {
    await tmp.remove();
  }
});
