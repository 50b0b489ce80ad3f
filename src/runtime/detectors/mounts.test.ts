import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { statSync } from 'node:fs';
import { execMounts, mountOf, parseMountInfo, readMounts } from './mounts.js';

// Lines in the shape of proc(5)'s mountinfo example and of a Docker container's table.
const SAMPLE = [
  '75 51 0:40 / / rw,relatime master:2 - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w',
  '76 75 0:43 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '77 75 0:44 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '91 77 0:48 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k',
  '92 75 254:0 /tmp/vol /my\\040data rw,relatime - ext4 /dev/vda rw',
  '93 75 0:49 / /tmp rw,nosuid,nodev,relatime shared:5 master:1 - tmpfs tmpfs rw',
  'garbage line',
  '',
].join('\n');

test('mountinfo: mount point (octal escapes undone), device as st_dev, type, per-mount options', () => {
  const m = parseMountInfo(SAMPLE);
  assert.deepEqual(
    m.map((x) => [x.mountPoint, x.dev, x.fsType]),
    [
      ['/', 40, 'overlay'],
      ['/proc', 43, 'proc'],
      ['/dev', 44, 'tmpfs'],
      ['/dev/shm', 48, 'tmpfs'],
      ['/my data', 254 * 256, 'ext4'], // glibc makedev(254, 0) = 0xfe00
      ['/tmp', 49, 'tmpfs'],
    ],
  );
  assert.ok(m[3]!.options.includes('noexec'));
});

test('the mount of a path is the longest mount point above it; exec-able mounts skip noexec and kernel interfaces', () => {
  const m = parseMountInfo(SAMPLE);
  assert.equal(mountOf(m, '/dev/shm/x')?.mountPoint, '/dev/shm');
  assert.equal(mountOf(m, '/dev/shmx')?.mountPoint, '/dev');
  assert.equal(mountOf(m, '/bin/sh')?.mountPoint, '/');
  assert.equal(mountOf(m, '/tmp')?.mountPoint, '/tmp');
  assert.deepEqual(
    execMounts(m).map((x) => x.mountPoint),
    ['/dev', '/my data', '/tmp'],
  );
});

test("this process's own table: its root's device is what stat(2) says", () => {
  const root = mountOf(readMounts(process.pid), '/');
  assert.equal(root?.dev, statSync('/').dev);
  assert.deepEqual(readMounts(2 ** 30), [], 'no such process: none');
});

test('mountinfo parser: any text gives well-formed mounts or none, never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      for (const m of parseMountInfo(s)) {
        assert.ok(m.mountPoint.startsWith('/'));
        assert.ok(Number.isSafeInteger(m.dev));
      }
    }),
  );
  // one long line (no newline) is one mount at most, parsed in linear time
  assert.ok(parseMountInfo('1 2 0:1 / / - '.repeat(50_000)).length <= 1);
  assert.equal(parseMountInfo('1 2 0:1 / /\n'.repeat(50_000)).length, 0, 'no separator: no mount');
});
