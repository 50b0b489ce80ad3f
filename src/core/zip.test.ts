import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBulwarkError } from './errors.js';
import fc from 'fast-check';
import { InflateBudget, listEntries, readEntry } from './zip.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { have, requireAll } from '../../test/support/require.js';

/** Info-ZIP's verdict on an archive (`unzip -tq`): 0 when sound, 12 for overlapped components (a zip bomb, Debian's UnZip 6.0). */
function unzipStatus(buf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'zip-oracle-'));
  try {
    writeFileSync(join(dir, 'a.zip'), buf);
    return spawnSync('unzip', ['-tq', join(dir, 'a.zip')]).status ?? -1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusedAsCorrupt(buf: Buffer): boolean {
  try {
    listEntries(buf, '/b.jar', () => false);
    return false;
  } catch (e) {
    assert.ok(isBulwarkError(e), String(e));
    assert.equal(e.code, 'CORRUPT', e.message);
    return true;
  }
}

const hello = Buffer.from('hello, world\n'.repeat(20));

/** Three ways for entries to share bytes, as the "non-recursive zip bomb" constructions do. */
function overlapping(): Record<string, Buffer> {
  // one local header named by many directory records
  const shared = writeZip([
    { name: 'a', data: hello, deflate: true },
    ...Array.from({ length: 5 }, (_, i) => ({ name: `b${i}`, data: hello, deflate: true, sameAs: 0 })),
  ]);
  // a stored entry whose data quotes a whole second entry, header and all
  const inner = writeZip([{ name: 'b', data: hello }]);
  const quoted = writeZip([
    { name: 'a', data: inner.subarray(0, 30 + 1 + hello.length) },
    { name: 'b', data: hello, at: 30 + 1 },
  ]);
  // an entry whose data runs on into the central directory
  const into = writeZip([{ name: 'a', data: hello }]);
  const cd = into.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  into.writeUInt32LE(hello.length + 20, cd + 20);
  into.writeUInt32LE(hello.length + 20, cd + 24);
  into.writeUInt32LE(hello.length + 20, 18);
  into.writeUInt32LE(hello.length + 20, 22);
  return { shared, quoted, into };
}

test('entries sharing bytes with another entry or with the central directory are refused, as Info-ZIP refuses them', (t) => {
  if (!requireAll(t, { unzip: have('unzip') })) return;
  const sound = writeZip([
    { name: 'a', data: hello, deflate: true },
    { name: 'b', data: hello },
  ]);
  assert.equal(unzipStatus(sound), 0);
  assert.equal(refusedAsCorrupt(sound), false);
  for (const [what, buf] of Object.entries(overlapping())) {
    assert.equal(unzipStatus(buf), 12, `unzip does not call ${what} overlapped`);
    assert.ok(refusedAsCorrupt(buf), `${what} was read`);
  }
});

test('property: mutated archives are read within the budget or refused with CORRUPT, TRUNCATED or TOO_LARGE', () => {
  const bases = [
    writeZip([
      { name: 'META-INF/MANIFEST.MF', data: hello, deflate: true },
      { name: 'b', data: hello },
      { name: 'dir/', data: Buffer.alloc(0) },
    ]),
    writeZip([{ name: 'lib/x-1.0.jar', data: writeZip([{ name: 'z', data: Buffer.alloc(50_000) }]), deflate: true }]),
    ...Object.values(overlapping()),
  ];
  // whole-field writes of the values that break parsers (0, all ones, lengths near the end) as well as single bytes
  const edit = fc.record({
    // an unbiased integer: fast-check's doubles crowd near 0 and its bias favours the bounds, which would hit the first signature every time
    where: fc.noBias(fc.integer({ min: 0, max: 2 ** 30 })),
    width: fc.constantFrom(1, 2, 4),
    value: fc.oneof(
      fc.constantFrom(0, 0xffffffff, 0xffff, 0x7fffffff, 46, 22),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
  });
  const cut = fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  );
  const mutation = fc.record({
    base: fc.integer({ min: 0, max: bases.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 4 }),
    cut,
  });
  const limit = 1 << 20;
  let read = 0;
  fc.assert(
    fc.property(mutation, ({ base, edits, cut }) => {
      const b = Buffer.from(bases[base]!);
      for (const e of edits) {
        const at = Math.min(e.where % b.length, b.length - e.width);
        if (at >= 0) b.writeUIntLE(e.value % 2 ** (8 * e.width), at, e.width);
      }
      const input = cut === null ? b : b.subarray(0, Math.floor(cut * b.length));
      const budget = new InflateBudget({ maxBytes: limit, maxRatio: 100, ratioFloorBytes: 64 << 10 });
      budget.addStored(input.length);
      let out = 0;
      try {
        for (const e of listEntries(input, '/m.zip', () => true))
          out += readEntry(input, e, '/m.zip', limit, budget).length;
        read++;
      } catch (e) {
        assert.ok(
          isBulwarkError(e) && ['CORRUPT', 'TRUNCATED', 'TOO_LARGE'].includes(e.code),
          `unexpected ${String(e)}`,
        );
      }
      // bounded work: what was returned was granted first, and the grants stayed within the budget
      assert.ok(out <= budget.used && budget.used <= limit, `${out} bytes returned, ${budget.used} granted`);
    }),
    { numRuns: 500 },
  );
  assert.ok(
    read > 0 && read < 500,
    `${read} of 500 mutated archives read: the mutations miss the structures or break everything`,
  );
});
