import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { engineUp } from '../support/engine.js';
import { bulwark } from '../support/fixtures.js';
import { dockerArchive, ociLayout } from '../support/image-writer.js';
import { gzip, makeTar, zstd } from '../support/layers.js';
import { have, requireAll } from '../support/require.js';

// Acceptance 6: every kind of bad input gives one line naming the input and the reason,
// exit code 2, nothing left behind in the temp dir, and no existing output clobbered.

let tmp: TempDir;
let privateTmp: string;
const status = 'Package: demo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n';

before(async () => {
  tmp = await makeTempDir();
  privateTmp = join(tmp.path, 'tmpdir');
  mkdirSync(privateTmp);
});
after(() => tmp.remove());

/** The line starts with the code (one of `codes` where a cut may land in either check). */
function expectError(args: string[], codes: ErrorCode | ErrorCode[], pattern: RegExp): void {
  const r = bulwark(['scan', 'image', '--no-cache', '--quiet', ...args], { TMPDIR: privateTmp });
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  const code = /^bulwark: ([A-Z_]+) \(([^)]+)\): /.exec(lines[0]!);
  assert.ok(code, `bulwark: CODE (description): …: ${lines[0]}`);
  assert.ok(([] as string[]).concat(codes).includes(code[1]!), `code ${code[1]} for ${args.join(' ')}`);
  assert.equal(code[2], ERROR_CODES[code[1] as ErrorCode]);
  assert.match(lines[0]!, pattern);
  // tsx (the test's TypeScript loader) keeps its own cache there; everything else must be gone
  assert.deepEqual(
    readdirSync(privateTmp).filter((n) => !n.startsWith('tsx-')),
    [],
    'nothing left in the temp dir',
  );
}

async function file(name: string, content: Buffer): Promise<string> {
  const p = join(tmp.path, name);
  writeFileSync(p, content);
  return p;
}

const good = async (): Promise<Buffer> => makeTar([{ name: 'var/lib/dpkg/status', content: status }]);

test('a good archive scans (the baseline the bad cases are cut from)', async () => {
  const img = await file('good.tar', await dockerArchive([{ tar: await good() }]));
  const r = bulwark(['scan', 'image', '--no-cache', '--format', 'json', img], { TMPDIR: privateTmp });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (JSON.parse(r.stdout) as { packages: { name: string }[] }).packages.map((p) => p.name),
    ['demo'],
  );
});

test('truncated and corrupt archives', async () => {
  const whole = await dockerArchive([{ tar: await good() }]);
  const cut = await file('cut.tar', whole.subarray(0, whole.length - 1500));
  expectError([cut], 'TRUNCATED', new RegExp(`${cut}: (archive ends|truncated)`));
  const gz = gzip(whole);
  const cutGz = await file('cut.tar.gz', gz.subarray(0, gz.length >> 1));
  expectError([cutGz], ['TRUNCATED', 'CORRUPT'], new RegExp(`${cutGz}: bad gzip data \\(unexpected end of file\\)`));
  const notTar = await file('random.tar', Buffer.from('this is not a tar archive at all'.repeat(40)));
  expectError([notTar], ['CORRUPT', 'UNKNOWN_FORMAT'], new RegExp(`${notTar}: not a tar archive`));
});

test('truncated gzip and zstd layers, and a layer whose digest does not match', async (t) => {
  if (!requireAll(t, { zstd: have('zstd') })) return;
  const tar = await good();
  for (const [name, stored] of [
    ['gz', gzip(tar)],
    ['zst', zstd(tar)],
  ] as const) {
    const dir = join(tmp.path, `oci-cut-${name}`);
    ociLayout(dir, [{ tar, stored: stored.subarray(0, stored.length - 10) }]);
    expectError(
      [`oci:${dir}`],
      ['TRUNCATED', 'CORRUPT'],
      /blobs\/sha256\/[0-9a-f]{64}: (truncated|corrupt) (gzip|zstd) data/,
    );
  }
  const tampered = Buffer.from(tar);
  tampered.write('Version: 9.9-9', tar.indexOf('Version: 1.0-1'));
  const img = await file('tampered.tar', await dockerArchive([{ tar, stored: tampered }]));
  expectError(
    [img],
    'DIGEST_MISMATCH',
    /layer\.tar: uncompressed content has digest sha256:[0-9a-f]{64}, expected diff id/,
  );
});

test('"..", absolute and symlink-escaping paths', async () => {
  const cases: [string, Parameters<typeof makeTar>[0], RegExp][] = [
    [
      'dotdot',
      [{ name: '../../etc/cron.d/evil', content: 'x' }],
      /path escapes the archive root: \.\.\/\.\.\/etc\/cron\.d\/evil/,
    ],
    ['absolute', [{ name: '/etc/passwd', content: 'x' }], /absolute path in archive: \/etc\/passwd/],
    [
      'symlink',
      [
        { name: 'etc/x', type: 'symlink', linkname: '/root' },
        { name: 'etc/x/.ssh/authorized_keys', content: 'k' },
      ],
      /is written through the symlink etc\/x/,
    ],
  ];
  for (const [name, entries, pattern] of cases) {
    const img = await file(`${name}.tar`, await dockerArchive([{ tar: await makeTar(entries) }]));
    expectError([img], 'UNSAFE_PATH', pattern);
  }
  const outer = await file('outer-dotdot.tar', await makeTar([{ name: '../manifest.json', content: '[]' }]));
  expectError([outer], 'UNSAFE_PATH', /path escapes the archive root/);
});

test('decompression bombs stop at the size limit', async () => {
  const bomb = await makeTar([{ name: 'var/zeros', content: Buffer.alloc(64 << 20) }]);
  const img = join(tmp.path, 'bomb');
  ociLayout(img, [{ tar: bomb, stored: gzip(bomb) }]);
  expectError([img, '--max-layer-size', '16MiB'], 'TOO_LARGE', /layer expands beyond the 16777216-byte limit/);
});

test('unknown images, files and formats', async (t) => {
  expectError([join(tmp.path, 'missing.tar')], 'NOT_FOUND', /missing\.tar: no such file/);
  const dir = join(tmp.path, 'empty-dir');
  mkdirSync(dir);
  expectError([dir], 'UNKNOWN_FORMAT', /directory is not an OCI image layout/);
  if (!requireAll(t, { 'docker engine': await engineUp() })) return;
  expectError(
    ['docker:bulwark-no-such/image:never'],
    'NOT_FOUND',
    /docker:bulwark-no-such\/image:never: no such image in the docker engine/,
  );
});

test('a failed scan leaves an existing output file untouched', async () => {
  const out = await file('report.json', Buffer.from('previous report'));
  const cut = await file('cut2.tar', (await dockerArchive([{ tar: await good() }])).subarray(0, 1024));
  const r = bulwark(['scan', 'image', '--no-cache', cut, '--output', out]);
  assert.equal(r.code, 2);
  assert.equal(readFileSync(out, 'utf8'), 'previous report');
});

test('bad flags are usage errors with exit code 2', () => {
  const r = bulwark(['scan', 'image', 'x', '--format', 'yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /yaml/);
  const p = bulwark(['scan', 'image', 'x', '--platform', 'linux']);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /platform must be os\/arch/);
});
