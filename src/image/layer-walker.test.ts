import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulwarkError } from '../core/errors.js';
import { have, requireAll } from '../../test/support/require.js';
import { gzip, makeTar, memLayer, sha256, zstd } from '../../test/support/layers.js';
import { walkLayer } from './layer-walker.js';
import { DEFAULT_LIMITS } from './limits.js';

const wantsEtc = (p: string): boolean => p.startsWith('etc/');

interface Collected {
  files: Record<string, string>;
  tooLarge: string[];
  walk: Awaited<ReturnType<typeof walkLayer>>;
}

async function collect(
  layer: ReturnType<typeof memLayer>,
  limits = DEFAULT_LIMITS,
  wants = wantsEtc,
): Promise<Collected> {
  const files: Record<string, string> = {};
  const tooLarge: string[] = [];
  const walk = await walkLayer(
    layer,
    { wants, onFile: (p, c) => (files[p] = c.toString()), onTooLarge: (p) => tooLarge.push(p) },
    limits,
  );
  return { files, tooLarge, walk };
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BulwarkError, `expected BulwarkError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

const entries = [
  { name: 'etc/', type: 'directory' as const },
  { name: 'etc/os-release', content: 'ID=debian\n' },
  { name: './etc/hostname', content: 'box\n' },
  { name: 'usr/bin/tool', content: 'binary' },
  { name: 'var/lib/.wh.gone', content: '' },
  { name: 'opt/app/.wh..wh..opq', content: '' },
];

test('plain, gzip and zstd layers yield the same wanted files and whiteouts, digests verified', async (t) => {
  if (!requireAll(t, { zstd: have('zstd') })) return;
  const plain = await makeTar(entries);
  for (const stored of [plain, gzip(plain), zstd(plain)]) {
    const { files, walk } = await collect(memLayer(stored, plain, { blobDigest: sha256(stored) }));
    assert.deepEqual(files, { 'etc/os-release': 'ID=debian\n', 'etc/hostname': 'box\n' });
    assert.deepEqual(walk.whiteouts, ['var/lib/gone']);
    assert.deepEqual(walk.opaqueDirs, ['opt/app']);
    assert.equal(walk.uncompressedBytes, plain.length);
  }
});

test('a layer whose content does not match its diff id or blob digest is refused', async () => {
  const plain = await makeTar(entries);
  const other = sha256(Buffer.from('other'));
  await rejectsWith(
    collect(memLayer(plain, plain, { diffId: other })),
    'DIGEST_MISMATCH',
    /layer0: uncompressed content has digest sha256:[0-9a-f]{64}, expected diff id/,
  );
  const gz = gzip(plain);
  await rejectsWith(
    collect(memLayer(gz, plain, { blobDigest: other })),
    'DIGEST_MISMATCH',
    /layer0: content has digest/,
  );
});

test('truncated gzip, zstd and tar data are reported as truncated', async (t) => {
  if (!requireAll(t, { zstd: have('zstd') })) return;
  const plain = await makeTar([...entries, { name: 'etc/big', content: 'x'.repeat(100_000) }]);
  for (const stored of [gzip(plain), zstd(plain), plain]) {
    const cut = stored.subarray(0, Math.floor(stored.length / 2));
    await rejectsWith(collect(memLayer(cut, plain)), 'TRUNCATED', /^layer0: truncated/);
  }
});

test('corrupt gzip data is reported as corrupt', async () => {
  const plain = await makeTar(entries);
  const gz = Buffer.from(gzip(plain));
  for (let i = 20; i < gz.length - 8; i += 7) gz[i] = (gz[i] ?? 0) ^ 0x5a;
  await assert.rejects(
    collect(memLayer(gz, plain)),
    (e: unknown) => e instanceof BulwarkError && (e.code === 'CORRUPT' || e.code === 'TRUNCATED'),
  );
});

test('unsafe paths are refused: "..", absolute, and writing through a symlink', async () => {
  for (const bad of [
    [{ name: '../etc/passwd', content: 'x' }],
    [{ name: 'etc/../../escape', content: 'x' }],
    [{ name: '/etc/passwd', content: 'x' }],
    [
      { name: 'etc/link', type: 'symlink' as const, linkname: '/' },
      { name: 'etc/link/root/.ssh/authorized_keys', content: 'x' },
    ],
    [{ name: 'etc/hard', type: 'link' as const, linkname: '../../etc/shadow' }],
  ]) {
    const plain = await makeTar(bad);
    await rejectsWith(collect(memLayer(plain, plain)), 'UNSAFE_PATH', /^layer0: /);
  }
});

test('a decompression bomb is stopped at the layer size limit and at the expansion ratio', async () => {
  const plain = await makeTar([{ name: 'zeros', content: Buffer.alloc(8 << 20) }]);
  const gz = gzip(plain);
  await rejectsWith(
    collect(memLayer(gz, plain), { ...DEFAULT_LIMITS, maxLayerBytes: 1 << 20 }),
    'TOO_LARGE',
    /layer0: layer expands beyond the 1048576-byte limit/,
  );
  await rejectsWith(
    collect(memLayer(gz, plain), { ...DEFAULT_LIMITS, ratioFloorBytes: 1 << 20 }),
    'TOO_LARGE',
    /layer0: layer expands more than 200-fold: a decompression bomb/,
  );
  // the same layer stored uncompressed is no bomb
  assert.equal(
    (await collect(memLayer(plain, plain), { ...DEFAULT_LIMITS, ratioFloorBytes: 1 << 20 })).walk.uncompressedBytes,
    plain.length,
  );
});

test('a wanted file over the file size limit is handed over as too large, unread, and the walk goes on', async () => {
  const plain = await makeTar([
    { name: 'etc/huge', content: Buffer.alloc(4096) },
    { name: 'etc/link', type: 'link', linkname: 'etc/huge' },
    { name: 'etc/small', content: 'ok' },
  ]);
  const r = await collect(memLayer(plain, plain), { ...DEFAULT_LIMITS, maxFileBytes: 1000 });
  assert.deepEqual(r.files, { 'etc/small': 'ok' });
  assert.deepEqual(r.tooLarge, ['etc/huge', 'etc/link']);
});

/** The layer, counting how often it is read. */
function counted(plain: Buffer): { layer: ReturnType<typeof memLayer>; reads: () => number } {
  const layer = memLayer(plain, plain);
  let n = 0;
  const open = layer.open;
  return { layer: { ...layer, open: () => (n++, open()) }, reads: () => n };
}

test('hard links deliver their content under their own name, whatever name the target was stored under', async () => {
  const plain = await makeTar([
    { name: 'etc/a', content: 'A' },
    { name: 'etc/b', type: 'link', linkname: 'etc/a' },
    { name: 'usr/hidden', content: 'H' },
    { name: 'etc/c', type: 'link', linkname: 'usr/hidden' },
    { name: 'etc/d', type: 'link', linkname: 'etc/c' },
    { name: 'usr/hidden', content: 'replaced after the links' },
    // a link later replaced by a regular file is that file
    { name: 'etc/e', type: 'link', linkname: 'usr/hidden' },
    { name: 'etc/e', content: 'E' },
  ]);
  const { layer, reads } = counted(plain);
  const { files } = await collect(layer);
  assert.deepEqual(files, { 'etc/a': 'A', 'etc/b': 'A', 'etc/c': 'H', 'etc/d': 'H', 'etc/e': 'E' });
  assert.equal(reads(), 2);
});

test('a layer without wanted hard links is read once', async () => {
  const plain = await makeTar([
    { name: 'etc/a', content: 'A' },
    { name: 'usr/b', type: 'link', linkname: 'etc/a' },
    { name: 'etc/gone', type: 'link', linkname: 'nowhere' },
  ]);
  const { layer, reads } = counted(plain);
  assert.deepEqual((await collect(layer)).files, { 'etc/a': 'A' });
  assert.equal(reads(), 1);
});

test('a link to a wanted file read just before is handed over from memory; one to a file too large to keep takes a second read', async () => {
  const small = await makeTar([
    { name: 'etc/perl', content: 'P' },
    { name: 'etc/perl5', type: 'link', linkname: 'etc/perl' },
  ]);
  const kept = counted(small);
  assert.deepEqual((await collect(kept.layer)).files, { 'etc/perl': 'P', 'etc/perl5': 'P' });
  assert.equal(kept.reads(), 1);
  // 9 MiB: over what is kept of one file
  const big = Buffer.alloc(9 * 2 ** 20, 0x61);
  const large = await makeTar([
    { name: 'etc/big', content: big },
    { name: 'etc/big2', type: 'link', linkname: 'etc/big' },
  ]);
  const second = counted(large);
  const { files } = await collect(second.layer);
  assert.equal(files['etc/big2'], big.toString());
  assert.equal(second.reads(), 2);
  // evicted: 40 MiB of other wanted files read between the file and its link
  const filler = Array.from({ length: 5 }, (_, i) => ({
    name: `etc/fill${i}`,
    content: Buffer.alloc(8 * 2 ** 20, 0x62),
  }));
  const evicted = await makeTar([
    { name: 'etc/first', content: 'F' },
    ...filler,
    { name: 'etc/late', type: 'link', linkname: 'etc/first' },
  ]);
  const third = counted(evicted);
  assert.equal((await collect(third.layer)).files['etc/late'], 'F');
  assert.equal(third.reads(), 2);
});

test('a local uncompressed layer is read again only where its wanted links point (headers read at random), not streamed twice', async () => {
  const big = Buffer.alloc(9 * 2 ** 20, 0x63);
  const plain = await makeTar([
    { name: 'usr/share/pixmaps/logo.png', content: 'Package: hidden\n' },
    { name: 'etc/big', content: big },
    { name: 'etc/status', type: 'link', linkname: 'usr/share/pixmaps/logo.png' },
    { name: 'etc/big2', type: 'link', linkname: 'etc/big' },
  ]);
  const ranges: number[] = [];
  const local = {
    ...counted(plain),
    read: (s: number, n: number) => (ranges.push(n), Promise.resolve(plain.subarray(s, s + n))),
  };
  const { files } = await collect({ ...local.layer, readRange: local.read });
  assert.equal(files['etc/status'], 'Package: hidden\n');
  assert.equal(files['etc/big2'], big.toString());
  assert.equal(local.reads(), 1, 'streamed once');
  // windows of headers (and small contents) of at most 256 KiB, and the large entry once, directly
  assert.equal(ranges.filter((n) => n === big.length).length, 1);
  assert.ok(
    ranges.every((n) => n === big.length || n <= 256 * 1024),
    JSON.stringify(ranges),
  );
});

test('when the local bytes read again are not what the first pass saw, the layer is streamed again instead', async () => {
  const plain = await makeTar([
    { name: 'usr/share/pixmaps/logo.png', content: 'Package: real\n' },
    { name: 'etc/status', type: 'link', linkname: 'usr/share/pixmaps/logo.png' },
  ]);
  const other = await makeTar([
    { name: 'usr/share/pixmaps/other.png', content: 'Package: fake\n' },
    { name: 'etc/status', type: 'link', linkname: 'usr/share/pixmaps/other.png' },
  ]);
  const c = counted(plain);
  const { files } = await collect({
    ...c.layer,
    readRange: (s: number, n: number) => Promise.resolve(other.subarray(s, s + n)),
  });
  assert.equal(files['etc/status'], 'Package: real\n');
  assert.equal(c.reads(), 2);
});
