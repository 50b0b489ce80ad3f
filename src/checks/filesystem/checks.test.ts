import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRef, Package } from '../../core/types.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../scan/layer-analysis.js';
import type { CheckResult } from '../check.js';
import { IMAGE_CHECK_INFO } from '../image/info.js';
import { fsFacts, type FsFact } from './analyzer.js';
import { FS_CHECKS } from './checks.js';

// Every filesystem check: an image (layers of files with modes) that fails it and one that
// passes, through the real analyzer and the union-filesystem merge.

interface F { path: string; mode?: number; content?: string }
const REG = 0o100000;

function layer(index: number, files: F[], whiteouts: string[] = []): { ref: LayerRef; analysis: LayerAnalysis } {
  const ref = { index, diffId: `sha256:${String(index).repeat(64)}` };
  const out: Record<string, { data?: unknown }> = {};
  for (const f of files) {
    const info = { size: (f.content ?? '').length, mode: f.mode ?? REG | 0o644 };
    if (fsFacts.wants(f.path, info, 'image')) out[f.path] = { data: fsFacts.parse(f.path, Buffer.from(f.content ?? ''), info) };
  }
  return { ref, analysis: { diffId: ref.diffId, whiteouts, opaqueDirs: [], files: { [fsFacts.id]: out } } };
}

function run(id: string, layers: ReturnType<typeof layer>[], packages: Partial<Package>[] = []): CheckResult[] {
  const view = viewFor<FsFact>(mergeLayers(layers), fsFacts.id);
  return FS_CHECKS[id]!({ view, packages: packages as Package[] }, IMAGE_CHECK_INFO.find((c) => c.id === id)!);
}

const SHADOW_LOCKED = 'root:*:19000:0:99999:7:::\ndaemon:!:19000::::::\nnobody:!!:19000::::::\n';
const SHADOW_SET = 'root:$6$salt$hashhashhash:19000:0:99999:7:::\napp:!$6$old$locked:19000::::::\nops:$y$j9T$abc$def:19000::::::\n';

const CASES: Record<string, { fail: ReturnType<typeof layer>[]; pass: ReturnType<typeof layer>[]; pkgs?: [Partial<Package>[], Partial<Package>[]]; message: RegExp }> = {
  'BW-FS-001': {
    fail: [layer(0, [{ path: 'usr/bin/passwd', mode: REG | 0o4755 }, { path: 'usr/bin/wall', mode: REG | 0o2755 }])],
    pass: [layer(0, [{ path: 'usr/bin/passwd', mode: REG | 0o755 }, { path: 'etc/setid-but-not-executable', mode: REG | 0o4644 }])],
    message: /is set-(user|group)-id \(mode (4755|2755)\)/,
  },
  'BW-FS-002': {
    fail: [layer(0, [{ path: 'opt/app/config.yaml', mode: REG | 0o666 }])],
    pass: [layer(0, [{ path: 'tmp/scratch', mode: REG | 0o666 }, { path: 'opt/app/config.yaml', mode: REG | 0o644 }])],
    message: /\/opt\/app\/config\.yaml is writable by every user \(mode 0666\)/,
  },
  'BW-FS-003': { fail: [layer(0, [{ path: 'etc/shadow', content: SHADOW_SET }])], pass: [layer(0, [{ path: 'etc/shadow', content: SHADOW_LOCKED }])], message: /holds password hashes for root, ops$/ },
  'BW-FS-004': { fail: [layer(0, [{ path: 'src/app/.git/HEAD', content: 'ref: refs/heads/main\n' }])], pass: [layer(0, [{ path: 'src/app/.gitignore', content: 'node_modules\n' }])], message: /\/src\/app\/\.git is a git repository/ },
  'BW-FS-005': {
    fail: [layer(0, [{ path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', content: 'x'.repeat(2048) }, { path: 'var/cache/apt/archives/curl_7.88.1-10_amd64.deb', content: 'deb' }])],
    pass: [layer(0, [{ path: 'var/lib/apt/lists/lock' }, { path: 'var/cache/apt/archives/partial/.keep' }])],
    message: /keeps \d+ files? .* of package-manager cache/,
  },
  'BW-FS-006': {
    fail: [layer(0, [])], pass: [layer(0, [])],
    pkgs: [[{ name: 'sudo', version: '1.9.13p3-1+deb12u1', ecosystem: 'deb', path: '/var/lib/dpkg/status', layer: { index: 0, diffId: '' } }], [{ name: 'sudo', version: '1.0', ecosystem: 'npm', path: '/app/node_modules/sudo/package.json', layer: { index: 0, diffId: '' } }]],
    message: /sudo 1\.9\.13p3-1\+deb12u1 is installed/,
  },
};

test('every filesystem check has a failing and a passing fixture', () => {
  const ids = IMAGE_CHECK_INFO.filter((c) => c.id.startsWith('BW-FS-')).map((c) => c.id);
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
  const r = run('BW-FS-001', [base, app]);
  assert.deepEqual(r.map((x) => [x.location.path, x.location.layer?.index]), [['/usr/bin/ping', 0], ['/usr/local/bin/helper', 1]]);
  const cleaned = layer(2, [], ['usr/bin/ping']);
  assert.deepEqual(run('BW-FS-001', [base, app, cleaned]).map((x) => x.location.path), ['/usr/local/bin/helper']);
  // shadow hashes: only user names, never the hash
  const shadow = run('BW-FS-003', [layer(0, [{ path: 'etc/shadow', content: SHADOW_SET }])]);
  assert.ok(!JSON.stringify(shadow).includes('hashhash'));
});
