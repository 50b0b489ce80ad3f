// Binary-format readers on files crafted for their worst case (test/support/hostile-*.ts):
// each file is built in memory (not timed), then read once per run by the reader the scanner
// uses for it. Target: every reader under 2 s on a 64 MiB file.
// Usage: node --import tsx bench/adversarial.ts [MiB=64, fractions too] [runs=3] [case-substring]
import { performance } from 'node:perf_hooks';
import { isBulwarkError } from '../src/core/errors.js';
import { readGoBuildInfo } from '../src/ecosystems/golang/buildinfo.js';
import { readRpmDatabase } from '../src/ecosystems/rpm/database.js';
import { parseRpmHeader } from '../src/ecosystems/rpm/header.js';
import { readAuditData } from '../src/ecosystems/rust/auditable.js';
import {
  elfOverlappingSegments,
  elfUnterminatedNames,
  goUnendedModinfo,
  goVersionNoise,
  machoOverlappingCommands,
  machoOverlappingSegments,
  peLongNames,
} from '../test/support/hostile-exe.js';
import { bdbOverflowLoop, ndbNestedBlobs, rpmDirExpansion } from '../test/support/hostile-rpm.js';

const mib = Number(process.argv[2] ?? 64);
const runs = Number(process.argv[3] ?? 3);
const only = process.argv[4] ?? '';
const size = Math.floor(mib * 1024 * 1024);

interface Case {
  reader: string;
  input: string;
  build: () => Buffer;
  read: (b: Buffer) => unknown;
}

const go = (b: Buffer): unknown => readGoBuildInfo(b, 'hostile');
const rust = (b: Buffer): unknown => readAuditData(b, 'hostile');
// the scanner keys every path of every rpm package (OS-owned files): each string is flattened
const rpmHeader = (b: Buffer): unknown => new Set(parseRpmHeader(b, 'hostile').files).size;
const rpmDb =
  (path: string) =>
  (b: Buffer): unknown =>
    readRpmDatabase(path, b).length;

const cases: Case[] = [
  {
    reader: 'Go build info',
    input: 'ELF, 512k section names without a NUL',
    build: () => elfUnterminatedNames(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'ELF, 65,535 writable segments over the whole file',
    build: () => elfOverlappingSegments(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'PE, 65,535 writable sections with unterminated long names',
    build: () => peLongNames(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'Mach-O, load commands whose section tables overlap',
    build: () => machoOverlappingCommands(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'Mach-O, 466k writable segments over the whole file',
    build: () => machoOverlappingSegments(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'module-info start sentinels, no end sentinel',
    build: () => goUnendedModinfo(size),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'module-info start sentinels, end sentinel last',
    build: () => goUnendedModinfo(size, true),
    read: go,
  },
  {
    reader: 'Go build info',
    input: 'header removed, 11M " go1.x" version candidates',
    build: () => goVersionNoise(size),
    read: go,
  },
  {
    reader: 'cargo-auditable',
    input: 'ELF, 512k section names without a NUL',
    build: () => elfUnterminatedNames(size),
    read: rust,
  },
  {
    reader: 'cargo-auditable',
    input: 'PE, 65,535 sections with unterminated long names',
    build: () => peLongNames(size),
    read: rust,
  },
  {
    reader: 'rpm header',
    input: 'one dirname of half the header × 5.6M basenames',
    build: () => rpmDirExpansion(size),
    read: rpmHeader,
  },
  {
    reader: 'rpm NDB',
    input: 'blobs nested inside one another',
    build: () => ndbNestedBlobs(size),
    read: rpmDb('var/lib/rpm/Packages.db'),
  },
  {
    reader: 'rpm Berkeley DB',
    input: 'overflow chain through every 512-byte page and back',
    build: () => bdbOverflowLoop(size),
    read: rpmDb('var/lib/rpm/Packages'),
  },
];

function outcome(read: () => unknown): string {
  try {
    const r = read();
    return r === null ? 'nothing found' : typeof r === 'number' ? `${r} read` : 'read';
  } catch (e) {
    if (isBulwarkError(e)) return e.code;
    throw e;
  }
}

console.log(`| reader | input (${mib} MiB) | outcome | median (s) | max (s) |`);
console.log('| --- | --- | --- | --- | --- |');
for (const c of cases.filter((x) => `${x.reader} ${x.input}`.includes(only))) {
  const b = c.build();
  const times: number[] = [];
  let result = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = outcome(() => c.read(b));
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((x, y) => x - y);
  console.log(
    `| ${c.reader} | ${c.input} | ${result} | ${times[Math.floor(times.length / 2)]!.toFixed(2)} | ${times.at(-1)!.toFixed(2)} |`,
  );
}
