// Adversarial ZIP archives of 64 MiB, each read the way a scan reads a jar (target: every one
// handled, read or refused, in under 2 s). Run: node --import tsx bench/adversarial-zip.ts
// CPU time is shown beside wall time: on a shared machine it is the steadier figure.
import { performance } from 'node:perf_hooks';
import { isBulwarkError } from '../src/core/errors.js';
import { listEntries, scanBudget } from '../src/core/zip.js';
import { readArchive } from '../src/ecosystems/java/archive.js';
import { writeZip } from '../src/ecosystems/java/fixtures/zip-writer.js';
import { DEFAULT_LIMITS } from '../src/image/limits.js';

const SIZE = 64 * 2 ** 20;

/** Directory records of ~150 bytes, every one naming the same local header (the overlap bomb). */
function overlap(): Buffer {
  const n = Math.floor(SIZE / 150);
  return writeZip(
    Array.from({ length: n }, (_, i) => ({
      name: `META-INF/maven/g/a${i}/pom.properties`.padEnd(100, 'x'),
      data: Buffer.from('version=1\n'),
      ...(i > 0 ? { sameAs: 0 } : {}),
    })),
  );
}

/** End-of-central-directory signatures everywhere, none with a comment that fits. */
function decoys(): Buffer {
  const b = Buffer.alloc(SIZE, 0xff);
  for (let p = 0; p + 4 <= SIZE; p += 8) b.writeUInt32LE(0x06054b50, p);
  return b;
}

/** A sound archive of ~400,000 tiny pom.properties (the first MAX_POMS read and parsed). */
function metadataFlood(): Buffer {
  const n = Math.floor(SIZE / 168);
  return writeZip(
    Array.from({ length: n }, (_, i) => ({
      name: `META-INF/maven/g/a${i}/pom.properties`,
      data: Buffer.from(`version=${i}\n`),
    })),
  );
}

/** Nested jars of 255 MiB of zeros each, deflated to ~250 KiB: far more than the scan's budget. */
function nestedBomb(): Buffer {
  const inner = writeZip([{ name: 'pad', data: Buffer.alloc(255 * 2 ** 20) }]);
  const one = writeZip([{ name: 'x', data: inner, deflate: true }]).length;
  return writeZip(
    Array.from({ length: Math.floor(SIZE / one) }, (_, i) => ({
      name: `lib/b${i}-1.0.jar`,
      data: inner,
      deflate: true,
    })),
  );
}

/** A sound 22-byte end record claiming the most entries allowed, over 64 MiB of nothing. */
function countLie(): Buffer {
  const b = Buffer.alloc(SIZE);
  const end = SIZE - 22;
  b.writeUInt32LE(0x06054b50, end);
  b.writeUInt16LE(0xfffe, end + 8);
  b.writeUInt16LE(0xfffe, end + 10);
  b.writeUInt32LE(0xfffe * 46, end + 12);
  b.writeUInt32LE(end - 0xfffe * 46, end + 16);
  return b;
}

const cases: [string, () => Buffer, (b: Buffer) => unknown][] = [
  ['overlapping entries', overlap, (b) => readArchive(b, '/overlap.jar', undefined, scanBudget(DEFAULT_LIMITS))],
  ['end-record decoys', decoys, (b) => listEntries(b, '/decoys.zip', () => true)],
  ['400k pom.properties', metadataFlood, (b) => readArchive(b, '/flood.jar', undefined, scanBudget(DEFAULT_LIMITS))],
  ['nested deflate bomb', nestedBomb, (b) => readArchive(b, '/bomb.jar', undefined, scanBudget(DEFAULT_LIMITS))],
  ['entry count lie', countLie, (b) => listEntries(b, '/lie.zip', () => true)],
];

console.log('| case | input (MiB) | outcome | wall (s) | CPU (s) |\n| --- | --- | --- | --- | --- |');
for (const [name, build, read] of cases) {
  const buf = build();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let outcome = 'read';
  try {
    const r = read(buf);
    if (r && typeof r === 'object' && 'packages' in r)
      outcome = `read: ${(r as { packages: unknown[] }).packages.length} packages`;
  } catch (e) {
    outcome = isBulwarkError(e) ? e.code : `UNEXPECTED ${String(e)}`;
  }
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  console.log(
    `| ${name} | ${(buf.length / 2 ** 20).toFixed(1)} | ${outcome} | ${s.toFixed(2)} | ${((c.user + c.system) / 1e6).toFixed(2)} |`,
  );
}
