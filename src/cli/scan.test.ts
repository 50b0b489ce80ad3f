import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import type { ScanIssue } from '../core/types.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { githubToken } from '../checks/secrets/fixtures/tokens.js';
import { bulwark } from '../../test/support/fixtures.js';
import { dockerArchive } from '../../test/support/image-writer.js';
import { makeTar, type TestEntry } from '../../test/support/layers.js';

const LIMIT = 4096;

const lockfile = (name: string, version: string, pad = 0): string =>
  JSON.stringify({
    name: 'app',
    lockfileVersion: 3,
    packages: { '': { name: 'app' }, [`node_modules/${name}`]: { version } },
    pad: 'x'.repeat(pad),
  });

/** A jar under the limit holding a nested jar over it (zeros deflate to little). */
function jarWithBigNested(): Buffer {
  const inner = writeZip([
    { name: 'META-INF/maven/org.example/inner/pom.properties', data: Buffer.from('version=1.0\n') },
    { name: 'pad', data: Buffer.alloc(2 * LIMIT) },
  ]);
  const jar = writeZip([{ name: 'BOOT-INF/lib/inner-1.0.jar', data: inner, deflate: true }]);
  assert.ok(jar.length < LIMIT && inner.length > LIMIT);
  return jar;
}

/** Files every target reads: a jar with a big nested jar, a big secret-bearing file, big and small package manifests. */
function files(): TestEntry[] {
  return [
    { name: 'lib/outer-2.0.jar', content: jarWithBigNested() },
    { name: 'conf/.env', content: `GITHUB_TOKEN=${githubToken()}\n${'#'.repeat(LIMIT)}\n` },
    {
      name: 'usr/lib/node_modules/big/package.json',
      content: JSON.stringify({ name: 'big', version: '1.0.0', pad: 'x'.repeat(LIMIT) }),
    },
    { name: 'usr/lib/node_modules/small/package.json', content: JSON.stringify({ name: 'small', version: '2.0.0' }) },
  ];
}

function scanJson(args: string[]): { packages: { name: string; version: string }[]; issues: ScanIssue[] } {
  const r = bulwark([
    'scan',
    ...args,
    '--max-file-size',
    `${LIMIT}B`,
    '--scanners',
    'pkg,secret',
    '--format',
    'json',
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { packages: { name: string; version: string }[]; issues: ScanIssue[] };
}

function assertReported(issues: ScanIssue[], path: string, pattern: RegExp): void {
  assert.ok(
    issues.some((i) => i.path === path && pattern.test(i.message)),
    `an issue for ${path} matching ${String(pattern)} in ${JSON.stringify(issues)}`,
  );
}

test('scan fs --max-file-size: every oversized file, nested archive, lockfile and binary is an issue naming it; the rest is scanned', async () => {
  const tmp = await makeTempDir('walker-limits-');
  try {
    for (const e of [
      ...files(),
      { name: 'app/package-lock.json', content: lockfile('left-pad', '1.3.0') },
      { name: 'big/package-lock.json', content: lockfile('right-pad', '1.0.0', LIMIT) },
    ]) {
      mkdirSync(join(tmp.path, e.name, '..'), { recursive: true });
      writeFileSync(join(tmp.path, e.name), e.content!);
    }
    writeFileSync(join(tmp.path, 'bin-tool'), Buffer.alloc(2 * LIMIT, 0x7f));
    chmodSync(join(tmp.path, 'bin-tool'), 0o755);
    const { packages, issues } = scanJson(['fs', tmp.path]);
    const over = new RegExp(`over the ${LIMIT}-byte`);
    assertReported(issues, '/big/package-lock.json', over);
    assertReported(issues, '/bin-tool', over);
    assertReported(issues, '/conf/.env', over);
    assertReported(issues, '/usr/lib/node_modules/big/package.json', over);
    assertReported(issues, '/lib/outer-2.0.jar', /inner-1\.0\.jar: not read: \d+ bytes, over the 4096-byte/);
    const names = packages.map((p) => p.name).sort();
    assert.deepEqual(names, ['left-pad', 'outer', 'small']);
  } finally {
    await tmp.remove();
  }
});

test('scan image --max-file-size: oversized files in a layer are issues naming them, and the image is still scanned', async () => {
  const tmp = await makeTempDir('walker-limits-');
  try {
    const archive = join(tmp.path, 'image.tar');
    writeFileSync(archive, await dockerArchive([{ tar: await makeTar(files()) }]));
    const { packages, issues } = scanJson(['image', archive, '--no-cache']);
    const over = new RegExp(`over the ${LIMIT}-byte`);
    assertReported(issues, '/conf/.env', over);
    assertReported(issues, '/usr/lib/node_modules/big/package.json', over);
    assertReported(issues, '/lib/outer-2.0.jar', /inner-1\.0\.jar: not read/);
    assert.deepEqual(packages.map((p) => p.name).sort(), ['outer', 'small']);
  } finally {
    await tmp.remove();
  }
});
