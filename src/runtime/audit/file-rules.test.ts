import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerFileRules, deleteArgs, globalFileRules, releaseAgentFiles } from './file-rules.js';

test('host-wide file rules: set-id chmods filtered by mode bit in the kernel, links, release_agent watches', () => {
  const rules = globalFileRules('x64', ['/sys/fs/cgroup/memory/release_agent']).map((r) => r.args.join(' '));
  assert.deepEqual(rules, [
    '-a always,exit -F arch=b64 -S 90,91 -F a1&0xc00 -k bulwark-files',
    '-a always,exit -F arch=b64 -S 268,452 -F a2&0xc00 -k bulwark-files',
    '-a always,exit -F arch=b64 -S 86,265,88,266 -k bulwark-files',
    '-a always,exit -F arch=b32 -S 15,94 -F a1&0xc00 -k bulwark-files',
    '-a always,exit -F arch=b32 -S 306,452 -F a2&0xc00 -k bulwark-files',
    '-a always,exit -F arch=b32 -S 9,303,83,304 -k bulwark-files',
    '-w /sys/fs/cgroup/memory/release_agent -p wa -k bulwark-files',
  ]);
  // aarch64 has no chmod, link or symlink: only the *at calls
  assert.ok(
    globalFileRules('arm64').some(
      (r) => r.args.join(' ') === '-a always,exit -F arch=b64 -S 53,452 -F a2&0xc00 -k bulwark-files',
    ),
  );
  assert.deepEqual(globalFileRules('riscv64'), []);
});

test('per container: watches on the directories that exist (not links), the procfs rule by device', () => {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-fr-'));
  try {
    for (const d of ['etc', 'usr/bin', 'var/log']) mkdirSync(join(root, d), { recursive: true });
    symlinkSync('usr/bin', join(root, 'bin')); // usrmerge: /bin is watched as /usr/bin
    const args = containerFileRules(root, (0 << 8) | 27, undefined, 'x64');
    assert.deepEqual(args, [
      ['-w', `${root}/etc`, '-p', 'wa', '-k', 'bulwark-files'],
      ['-w', `${root}/usr/bin`, '-p', 'wa', '-k', 'bulwark-files'],
      ['-w', `${root}/var/log`, '-p', 'wa', '-k', 'bulwark-files'],
      [
        '-a',
        'always,exit',
        '-F',
        'arch=b64',
        '-S',
        '2,257,437',
        '-F',
        'devmajor=0',
        '-F',
        'devminor=27',
        '-k',
        'bulwark-files',
      ],
    ]);
    // a large minor (dev_t's split encoding)
    const big = containerFileRules(root, (0x12345 & 0xff) | ((0x12345 & ~0xff) << 12), [], 'x64');
    assert.ok(big[0]!.includes('devminor=74565'));
    assert.deepEqual(containerFileRules(root, undefined, ['/etc'], 'x64'), [args[0]]);
    assert.deepEqual(deleteArgs(args[0]!)[0], '-W');
    assert.deepEqual(deleteArgs(args[3]!)[0], '-d');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('release_agent files: each cgroup v1 hierarchy root has one, a v2-only host none', () => {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-cg-'));
  try {
    assert.deepEqual(releaseAgentFiles(join(root, 'missing')), []);
    mkdirSync(join(root, 'memory'));
    writeFileSync(join(root, 'memory', 'release_agent'), '');
    mkdirSync(join(root, 'unified')); // cgroup2: no release_agent
    assert.deepEqual(releaseAgentFiles(root), [join(root, 'memory', 'release_agent')]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
