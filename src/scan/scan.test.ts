import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../image/limits.js';
import { ImageConfig, type OpenedImage } from '../image/image.js';
import { githubToken } from '../checks/secrets/fixtures/tokens.js';
import { makeTar, memLayer, sha256, type TestEntry } from '../../test/support/layers.js';
import { scanImage } from './scan.js';

const DPKG_STATUS = readFileSync(
  join(import.meta.dirname, '..', 'ecosystems', 'dpkg', 'fixtures', 'bookworm', 'var', 'lib', 'dpkg', 'status'),
);

async function oneLayerImage(entries: TestEntry[]): Promise<OpenedImage> {
  const tar = await makeTar(entries);
  const raw = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }),
  );
  return {
    artifact: { name: 'walker-test', type: 'docker-archive', repoTags: [], repoDigests: [] },
    config: ImageConfig.parse(JSON.parse(raw.toString())),
    rawConfig: raw,
    layers: [memLayer(tar, tar)],
    close: async () => {},
  };
}

test('a hard link is analysed under its own name, whatever name its target was stored under', async () => {
  const token = githubToken();
  const image = await oneLayerImage([
    // dpkg status, a shadow file and a secret stored under names no analyzer wants, then linked
    { name: 'usr/share/pixmaps/logo.png', content: DPKG_STATUS },
    { name: 'usr/share/pixmaps/s.png', content: 'root:$6$salt$hash:19000:0:99999:7:::\n' },
    { name: 'usr/share/pixmaps/t.png', content: `GITHUB_TOKEN=${token}\n` },
    { name: 'var/lib/dpkg/status', type: 'link', linkname: 'usr/share/pixmaps/logo.png' },
    { name: 'etc/shadow', type: 'link', linkname: 'usr/share/pixmaps/s.png' },
    { name: 'app/.env', type: 'link', linkname: 'usr/share/pixmaps/t.png' },
  ]);
  const r = await scanImage(image, { cacheDir: null, checks: { secrets: true, misconfig: true } });
  // the oracle: the fixture's own paragraphs, one per installed package
  const installed = DPKG_STATUS.toString()
    .split('\n\n')
    .filter((p) => /^Status: install ok installed$/m.test(p)).length;
  assert.ok(installed > 50);
  assert.equal(r.inventory.packages.filter((p) => p.ecosystem === 'deb').length, installed);
  assert.ok(r.inventory.packages.every((p) => p.path === '/var/lib/dpkg/status'));
  const checks = r.checks ?? [];
  assert.deepEqual(
    checks.filter((c) => c.checkId === 'BW-FS-003').map((c) => c.location.path),
    ['/etc/shadow'],
  );
  assert.deepEqual(
    checks.filter((c) => c.checkId === 'BW-SEC-007').map((c) => c.location.path),
    ['/app/.env'],
  );
});

test('a hard link to a hard link, and a link made before its target name was overwritten, see the linked content', async () => {
  const image = await oneLayerImage([
    { name: 'usr/share/pixmaps/a.png', content: DPKG_STATUS },
    { name: 'usr/share/pixmaps/b.png', type: 'link', linkname: 'usr/share/pixmaps/a.png' },
    { name: 'var/lib/dpkg/status', type: 'link', linkname: 'usr/share/pixmaps/b.png' },
    // replacing a.png later does not change what the link points to
    { name: 'usr/share/pixmaps/a.png', content: 'not a status file' },
  ]);
  const r = await scanImage(image, { cacheDir: null });
  assert.ok(r.inventory.packages.some((p) => p.ecosystem === 'deb' && p.name === 'libc6'));
  assert.deepEqual(r.inventory.issues, []);
});

test('a wanted file over the file size limit is an issue naming it, and the rest of the layer is still analysed', async () => {
  const image = await oneLayerImage([
    { name: 'var/lib/dpkg/status', content: DPKG_STATUS },
    {
      name: 'usr/lib/node_modules/big/package.json',
      content: JSON.stringify({ name: 'big', version: '1.0.0', pad: 'x'.repeat(DPKG_STATUS.length) }),
    },
    { name: 'usr/lib/node_modules/small/package.json', content: JSON.stringify({ name: 'small', version: '2.0.0' }) },
  ]);
  const limits = { ...DEFAULT_LIMITS, maxFileBytes: DPKG_STATUS.length };
  const r = await scanImage(image, { cacheDir: null, limits });
  const npm = r.inventory.packages.filter((p) => p.ecosystem === 'npm').map((p) => p.name);
  assert.deepEqual(npm, ['small']);
  assert.ok(r.inventory.packages.some((p) => p.name === 'libc6'));
  const issues = r.inventory.issues.filter((i) => i.path === '/usr/lib/node_modules/big/package.json');
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, new RegExp(`over the ${limits.maxFileBytes}-byte`));
});
