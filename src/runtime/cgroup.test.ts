import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBlkioServiceBytes, parseIoStat } from './cgroup.js';

// Kernel text as read on a cgroup v1 host (kernel 6.18, virtio disk 254:0) and a v2 host.
const BLKIO =
  '254:0 Read 8192\n254:0 Write 134225920\n254:0 Sync 134234112\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 134234112\nTotal 134234112\n';
const IO_STAT =
  '8:0 rbytes=123 wbytes=456 rios=1 wios=2 dbytes=0 dios=0\n253:0 rbytes=1000 wbytes=24 rios=3 wios=4 dbytes=7 dios=1\n';

test('cgroup io: blkio sums Read and Write over devices; io.stat sums rbytes and wbytes', () => {
  assert.equal(parseBlkioServiceBytes(BLKIO), 8192 + 134225920);
  assert.equal(parseBlkioServiceBytes('Total 0\n'), 0);
  assert.equal(parseBlkioServiceBytes(''), 0);
  assert.equal(parseIoStat(IO_STAT), 123 + 456 + 1000 + 24);
  assert.equal(parseIoStat(''), 0);
});

const counter = fc.nat();
// Lines that are not a device's: each must not start with MAJ:MIN.
const noise = fc.array(
  fc.string().filter((s) => !s.split('\n').some((l) => /^\s*\d+:\d+(\s|$)/.test(l))),
  { maxLength: 3 },
);

test('cgroup io: blkio text from any devices and counters gives their Read + Write, whatever else is around', () => {
  const device = fc.record({
    dev: fc.tuple(fc.nat(511), fc.nat(255)),
    read: counter,
    write: counter,
    sync: counter,
    async: counter,
    discard: counter,
  });
  fc.assert(
    fc.property(fc.array(device, { maxLength: 6 }), noise, (devs, junk) => {
      const lines = devs.flatMap(({ dev: [maj, min], read, write, sync, async, discard }) =>
        [
          ['Read', read],
          ['Write', write],
          ['Sync', sync],
          ['Async', async],
          ['Discard', discard],
          ['Total', read + write],
        ].map(([op, n]) => `${maj}:${min} ${op} ${n}`),
      );
      const total = devs.reduce((s, d) => s + d.read + d.write, 0);
      assert.equal(parseBlkioServiceBytes([...lines, ...junk, `Total ${total}`].join('\n')), total);
    }),
    { numRuns: 500 },
  );
});

test('cgroup io: io.stat text from any devices and counters gives their rbytes + wbytes', () => {
  const device = fc.record({
    dev: fc.tuple(fc.nat(511), fc.nat(255)),
    rbytes: counter,
    wbytes: counter,
    rios: counter,
    wios: counter,
    dbytes: counter,
    dios: counter,
  });
  fc.assert(
    fc.property(fc.array(device, { maxLength: 6 }), noise, (devs, junk) => {
      const lines = devs.map(
        ({ dev: [maj, min], ...c }) =>
          `${maj}:${min} ${Object.entries(c)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
      );
      assert.equal(
        parseIoStat([...junk, ...lines].join('\n')),
        devs.reduce((s, d) => s + d.rbytes + d.wbytes, 0),
      );
    }),
    { numRuns: 500 },
  );
});

test('cgroup io: any text gives a finite count of at least 0, never an exception', () => {
  const piece = fc.oneof(
    fc.constantFrom(
      '8:0',
      ' ',
      '\n',
      '\t',
      'Read',
      'Write',
      'Total',
      'rbytes=',
      'wbytes=',
      '1',
      '-1',
      '1e9',
      '0x10',
      '99999999999999999999999',
      '9'.repeat(400),
    ),
    fc.string({ unit: 'binary' }),
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
      (text) => {
        for (const n of [parseBlkioServiceBytes(text), parseIoStat(text)])
          assert.ok(Number.isFinite(n) && n >= 0, `${n} from ${JSON.stringify(text)}`);
      },
    ),
    { numRuns: 2000 },
  );
});
