import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { isBulwarkError, type ErrorCode } from '../../core/errors.js';
import { MAX_POMS, readArchive } from './archive.js';
import { useJavaFixtures } from './fixtures/build.js';
import { nestedJars, writeZip } from './fixtures/zip-writer.js';
import { byteBudget, InflateBudget, listEntries, MAX_ENTRIES, readEntry } from '../../core/zip.js';
import { throwsCode } from '../../../test/support/codes.js';

const fixture = useJavaFixtures();

/** Fails with code on input; `which` tells apart two checks that share both (an archive-wide limit). */
function rejects(fn: () => unknown, code: ErrorCode, input: string, which?: RegExp): void {
  const e = throwsCode(fn, code, input);
  if (which) assert.match(e.reason, which);
}

/** Info-ZIP exits 1 for warnings, such as the bytes before an executable jar's archive. */
function infoZip(cmd: string, args: string[]): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 2 ** 28 });
  assert.ok(r.status === 0 || r.status === 1, `${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Every file entry read by us equals what Info-ZIP's unzip extracts. */
function sameAsUnzip(path: string): number {
  const buf = readFileSync(path);
  const names = infoZip('zipinfo', ['-1', path]).toString('utf8').trim().split('\n');
  const entries = listEntries(buf, path, () => true);
  assert.deepEqual(entries.map((e) => e.name).sort(), [...names].sort());
  let files = 0;
  for (const e of entries.filter((x) => !x.name.endsWith('/'))) {
    const ours = readEntry(buf, e, path, 2 ** 30, byteBudget(2 ** 30));
    assert.ok(ours.equals(infoZip('unzip', ['-p', path, e.name])), e.name);
    files++;
  }
  return files;
}

test('zip64 (Info-ZIP -fz), data descriptors (jar, deflated) and a prepended launch script read as unzip reads them', (t) => {
  const f = fixture(t);
  if (!f) return;
  const z64 = readFileSync(join(f.dir, 'zip64-app-1.0.jar'));
  assert.ok(z64.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'has a zip64 end of central directory record');
  assert.equal(z64.readUInt32LE(z64.length - 6), 0xffffffff, 'the classic record defers the directory offset to zip64');
  assert.ok(sameAsUnzip(join(f.dir, 'zip64-app-1.0.jar')) >= 4);
  assert.ok(sameAsUnzip(join(f.dir, 'shop-2.3.war')) >= 3);
  assert.ok(sameAsUnzip(join(f.dir, 'demo-app-exec.jar')) >= 4);
});

test('zip bombs are refused: huge declared sizes before inflating, lying sizes while inflating, overlapping entries before reading', () => {
  const small = Buffer.from('PK');
  for (const deflate of [false, true]) {
    // a nested archive declaring more than the nested limit is not read, and named
    const bomb = writeZip([{ name: 'lib/bomb-1.0.jar', data: small, deflate, declaredSize: 300 * 2 ** 20 }]);
    assert.deepEqual(readArchive(bomb, '/app-1.0.jar').warnings, [
      '/app-1.0.jar!/lib/bomb-1.0.jar: not read: 314572800 bytes, over the 268435456-byte file size limit',
    ]);
  }
  const liar = writeZip([
    { name: 'lib/liar-1.0.jar', data: Buffer.alloc(10 * 2 ** 20), deflate: true, declaredSize: 1000 },
  ]);
  assert.deepEqual(readArchive(liar, '/app-1.0.jar').warnings, [
    '/app-1.0.jar!/lib/liar-1.0.jar: inflates beyond its declared size',
  ]);
  const mf = writeZip([{ name: 'META-INF/MANIFEST.MF', data: small, declaredSize: 2 ** 21 }]);
  rejects(() => readArchive(mf, '/app-1.0.jar'), 'TOO_LARGE', '/app-1.0.jar!/META-INF/MANIFEST.MF');
  // fifty directory records sharing one 1 MiB nested archive: refused before any is read
  const inner = writeZip([{ name: 'pad', data: Buffer.alloc(2 ** 20) }]);
  const overlap = writeZip(
    Array.from({ length: 50 }, (_, i) => ({ name: `lib/o${i}-1.0.jar`, data: inner, ...(i > 0 ? { sameAs: 0 } : {}) })),
  );
  rejects(() => readArchive(overlap, '/app-1.0.jar'), 'CORRUPT', '/app-1.0.jar', /overlap/);
});

test('nested archives draw on one budget: jars in jars, each level within its own limits, refused past the shared bytes or ratio', () => {
  // ~1.2 KiB outside, three levels of ~300 KiB inside: ~900 KiB read in all
  const jar = (p: string): Buffer => nestedJars(p, 4, 300 << 10);
  const shared = new InflateBudget({ maxBytes: 3 << 19, maxRatio: Infinity, ratioFloorBytes: Infinity });
  assert.equal(readArchive(jar('a'), '/a-1.0.jar', undefined, shared).packages.length, 4);
  rejects(
    () => readArchive(jar('b'), '/b-1.0.jar', undefined, shared),
    'TOO_LARGE',
    '/b-1.0.jar!/lib/b1-1.1.jar!/lib/b2-1.2.jar!/lib/b3-1.3.jar',
  );
  // the ratio is taken to the outermost archives' own bytes
  const ratio = (maxRatio: number): InflateBudget =>
    new InflateBudget({ maxBytes: 2 ** 30, maxRatio, ratioFloorBytes: 256 << 10 });
  rejects(() => readArchive(jar('c'), '/c-1.0.jar', undefined, ratio(200)), 'TOO_LARGE', '/c-1.0.jar!/lib/c1-1.1.jar');
  assert.equal(readArchive(jar('c'), '/c-1.0.jar', undefined, ratio(2000)).packages.length, 4);
});

test('structural damage: not a zip, truncated, too many entries, overlong names, bad signatures', (t) => {
  rejects(
    () => readArchive(Buffer.from('just text, no archive'), '/a.jar'),
    'CORRUPT',
    '/a.jar',
    /no end of central directory/,
  );
  rejects(() => readArchive(Buffer.alloc(0), '/a.jar'), 'CORRUPT', '/a.jar', /no end of central directory/);
  rejects(
    () => readArchive(writeZip([{ name: 'x'.repeat(5000), data: Buffer.from('y') }]), '/a.jar'),
    'CORRUPT',
    '/a.jar',
    /entry 0: name/,
  );
  const ok = writeZip([{ name: 'META-INF/MANIFEST.MF', data: Buffer.from('Implementation-Version: 1\n') }]);
  const badLocal = Buffer.from(ok);
  badLocal.writeUInt32LE(0x12345678, 0);
  rejects(() => readArchive(badLocal, '/a-1.jar'), 'CORRUPT', '/a-1.jar!/META-INF/MANIFEST.MF', /local header/);
  const badCrc = Buffer.from(ok);
  const at = 30 + 'META-INF/MANIFEST.MF'.length;
  badCrc[at] = badCrc[at]! ^ 0xff;
  rejects(() => readArchive(badCrc, '/a-1.jar'), 'CORRUPT', '/a-1.jar!/META-INF/MANIFEST.MF', /CRC-32/);
  const f = fixture(t);
  if (!f) return;
  const real = readFileSync(join(f.root, 'usr/share/java/slf4j-api.jar'));
  rejects(() => readArchive(real.subarray(0, real.length >> 1), '/a.jar'), 'TRUNCATED', '/a.jar');
  const z64 = Buffer.from(readFileSync(join(f.dir, 'zip64-app-1.0.jar')));
  const rec = z64.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
  z64.writeBigUInt64LE(BigInt(MAX_ENTRIES + 1), rec + 32);
  rejects(() => readArchive(z64, '/a.jar'), 'TOO_LARGE', '/a.jar');
});

test('property: mutated and truncated real archives are read or refused with CORRUPT, TRUNCATED or TOO_LARGE', (t) => {
  const f = fixture(t);
  if (!f) return;
  const bases = [
    join(f.root, 'usr/share/java/slf4j-api.jar'),
    join(f.dir, 'tool.jar'),
    join(f.dir, 'uber-1.0.jar'),
    join(f.dir, 'shop-2.3.war'),
  ].map((p) => readFileSync(p));
  // damage aimed at the structures (the directory at the end, headers at the start) as well as anywhere
  const edit = fc.record({
    where: fc.double({ min: 0, max: 1, noNaN: true }),
    tail: fc.boolean(),
    byte: fc.integer({ min: 0, max: 255 }),
  });
  const mutation = fc.record({
    base: fc.integer({ min: 0, max: bases.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 8 }),
    cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  });
  let refused = 0;
  fc.assert(
    fc.property(mutation, ({ base, edits, cut }) => {
      const b = Buffer.from(bases[base]!);
      for (const e of edits) {
        const span = e.tail ? Math.min(b.length, 4096) : b.length;
        b[b.length - span + Math.floor(e.where * (span - 1))] = e.byte;
      }
      const input = cut === null ? b : b.subarray(0, Math.floor(cut * b.length));
      try {
        JSON.stringify(readArchive(input, '/m.jar'));
      } catch (e) {
        assert.ok(
          isBulwarkError(e) && ['CORRUPT', 'TRUNCATED', 'TOO_LARGE'].includes(e.code),
          `unexpected ${String(e)}`,
        );
        refused++;
      }
    }),
    { numRuns: 200 },
  );
  assert.ok(refused > 20, `only ${refused} of 200 damaged archives were refused: the mutations miss the structures`);
});

test('a deflated entry whose data is damaged is refused, never returned', () => {
  const data = Buffer.from('Implementation-Version: 1.0\n'.repeat(50));
  const zip = writeZip([{ name: 'META-INF/MANIFEST.MF', data, deflate: true }]);
  const body = deflateRawSync(data);
  // keep the headers' sizes, zero the second half of the compressed stream
  const start = 30 + 'META-INF/MANIFEST.MF'.length;
  const cut = Buffer.from(zip);
  cut.fill(0, start + (body.length >> 1), start + body.length);
  assert.throws(
    () => readArchive(cut, '/a-1.jar'),
    (e) => isBulwarkError(e) && (e.code === 'TRUNCATED' || e.code === 'CORRUPT'),
  );
});

test('a flood of pom.properties is read up to MAX_POMS, the rest named in a warning', () => {
  const poms = Array.from({ length: MAX_POMS + 2 }, (_, i) => ({
    name: `META-INF/maven/g/a${i}/pom.properties`,
    data: Buffer.from(`version=${i}\n`),
  }));
  const r = readArchive(writeZip(poms), '/flood.jar');
  assert.equal(r.packages.length, MAX_POMS);
  assert.deepEqual(
    r.warnings.filter((w) => w.includes('pom.properties not read')),
    [`/flood.jar: 2 pom.properties not read (limit ${MAX_POMS} per archive)`],
  );
});
