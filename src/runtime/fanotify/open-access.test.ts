import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSyscallLine, flagsWrite } from './open-access.js';

// Expected values are computed by hand from the kernel's uapi constants (include/uapi/
// asm-generic/fcntl.h, octal): O_WRONLY 01, O_RDWR 02, O_CREAT 0100 (0x40), O_TRUNC 01000
// (0x200), O_APPEND 02000 (0x400), O_CLOEXEC 02000000 (0x80000), O_NOFOLLOW 0400000 (0x20000),
// O_DIRECTORY 0200000 (0x10000); and x86_64 syscall numbers (syscall_64.tbl): open 2,
// creat 85, openat 257, openat2 437, read 0.

/** A /proc/<tid>/syscall line: number, a0..a5, sp, pc. */
const line = (nr: number, ...args: string[]): string =>
  `${nr} ${[...args, '0x0', '0x0', '0x0', '0x0', '0x0', '0x0'].slice(0, 6).join(' ')} 0x7ffd1000 0x7f001000\n`;

test('openat: fopen "r" (O_RDONLY|O_CLOEXEC = 0x80000) is a read', () => {
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x7ffd2000', '0x80000', '0x0'), 'x64'), 'read');
});

test('openat: fopen "w" (O_WRONLY|O_CREAT|O_TRUNC = 0x241) and shell ">>" (O_WRONLY|O_CREAT|O_APPEND = 0x441) are writes', () => {
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x7ffd2000', '0x241', '0x1b6'), 'x64'), 'write');
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x7ffd2000', '0x441', '0x1b6'), 'x64'), 'write');
});

test('openat: O_RDWR (0x2), O_TRUNC alone (0x200), O_APPEND alone (0x400), O_CREAT alone (0x40) are writes', () => {
  for (const flags of ['0x2', '0x200', '0x400', '0x40', '0x80002'])
    assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x1', flags), 'x64'), 'write', flags);
});

test('openat: read-only flags with O_NOFOLLOW|O_DIRECTORY|O_CLOEXEC (0xb0000) stay a read', () => {
  assert.equal(decodeSyscallLine(line(257, '0x3', '0x1', '0xb0000'), 'x64'), 'read');
});

test('open(2) takes its flags from a1, not a2', () => {
  assert.equal(decodeSyscallLine(line(2, '0x7ffd2000', '0x241', '0x0'), 'x64'), 'write');
  assert.equal(decodeSyscallLine(line(2, '0x7ffd2000', '0x0', '0x241'), 'x64'), 'read');
});

test('creat(2) is always a write; execve is a read', () => {
  assert.equal(decodeSyscallLine(line(85, '0x7ffd2000', '0x1a4'), 'x64'), 'write');
  assert.equal(decodeSyscallLine(line(59, '0x7ffd2000', '0x7ffd3000'), 'x64'), 'read');
});

test('only the low 32 bits are the flags (an int in a 64-bit register)', () => {
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x1', '0xffffffff00000000'), 'x64'), 'read');
});

test('openat2, other calls, "running", a short line and an unknown arch are unknown', () => {
  assert.equal(decodeSyscallLine(line(437, '0xffffff9c', '0x1', '0x7ffd3000', '0x18'), 'x64'), 'unknown');
  assert.equal(decodeSyscallLine(line(0, '0x3', '0x1', '0x0'), 'x64'), 'unknown');
  assert.equal(decodeSyscallLine('running\n', 'x64'), 'unknown');
  assert.equal(decodeSyscallLine('-1 0x7ffd1000 0x7f001000\n', 'x64'), 'unknown');
  assert.equal(decodeSyscallLine('257 0xffffff9c 0x1\n', 'x64'), 'unknown');
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x1', '0x0'), 'riscv64'), 'unknown');
});

test('arm64: openat is 56 with flags in a2; 257 is no open there', () => {
  assert.equal(decodeSyscallLine(line(56, '0xffffff9c', '0x1', '0x241'), 'arm64'), 'write');
  assert.equal(decodeSyscallLine(line(56, '0xffffff9c', '0x1', '0x80000'), 'arm64'), 'read');
  assert.equal(decodeSyscallLine(line(257, '0xffffff9c', '0x1', '0x0'), 'arm64'), 'unknown');
});

test('flagsWrite: exactly the flags with an access mode or O_CREAT|O_TRUNC|O_APPEND', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (f) => {
      const expected = (f & 3) !== 0 || (f & 0x40) !== 0 || (f & 0x200) !== 0 || (f & 0x400) !== 0;
      assert.equal(flagsWrite(f), expected);
    }),
  );
});

test('hostile lines never throw and never read as "read" unless an open call is named', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const r = decodeSyscallLine(s, 'x64');
      if (r === 'read') assert.match(s.trim(), /^(2|257|59|322) /);
    }),
  );
});
