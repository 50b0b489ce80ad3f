import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BulwarkError } from '../../core/errors.js';
import { have, requireAll } from '../../../test/support/require.js';
import { parseStatus } from './control.js';
import { ALL_KEYS, bulwarkRules, KEYS } from './rules.js';
import { parseConf } from './daemon-config.js';
import { syscallName, syscallNumber, syscallTable } from './syscalls.js';

// Rule texts and tables only; installing rules in the kernel is in source.test.ts (one file
// owns the kernel's audit state, since test files run in parallel).

test('rules: x86_64 — both ABIs for exec, connect (with i386 socketcall) and privilege; watches', () => {
  const rules = bulwarkRules({ arch: 'x64' });
  const args = rules.map((r) => r.args.join(' '));
  assert.deepEqual(args.slice(0, 7), [
    '-a always,exit -F arch=b64 -S execve,execveat -k bulwark-exec',
    '-a always,exit -F arch=b32 -S execve,execveat -k bulwark-exec',
    '-a always,exit -F arch=b64 -S connect -k bulwark-connect',
    '-a always,exit -F arch=b32 -S connect -k bulwark-connect',
    '-a always,exit -F arch=b32 -S socketcall -F a0=3 -k bulwark-connect',
    '-a always,exit -F arch=b64 -S setuid,setgid,setreuid,setregid,setresuid,setresgid,capset -k bulwark-privilege',
    '-a always,exit -F arch=b32 -S setuid,setgid,setreuid,setregid,setresuid,setresgid,setuid32,setgid32,setreuid32,setregid32,setresuid32,setresgid32,capset -k bulwark-privilege',
  ]);
  assert.ok(args.includes('-w /etc/shadow -p rwa -k bulwark-sensitive'));
  assert.ok(args.includes('-w /etc/passwd -p wa -k bulwark-config'));
  assert.ok(rules.every((r) => ALL_KEYS.includes(r.key) && r.args.at(-1) === r.key && r.args.at(-2) === '-k'));
  assert.ok(
    rules.filter((r) => r.args.includes('arch=b64')).every((r) => !r.optional),
    'native rules are required',
  );
  assert.ok(rules.filter((r) => r.args.includes('arch=b32') || r.args[0] === '-w').every((r) => r.optional));
});

test('rules: aarch64 uses the arm compat table (no socketcall); options select rules', () => {
  const args = bulwarkRules({ arch: 'arm64' }).map((r) => r.args.join(' '));
  assert.ok(args.includes('-a always,exit -F arch=b64 -S execve,execveat -k bulwark-exec'));
  assert.ok(args.includes('-a always,exit -F arch=b32 -S connect -k bulwark-connect'));
  assert.ok(!args.some((a) => a.includes('socketcall')));
  const only = bulwarkRules({
    arch: 'x64',
    connect: false,
    privilege: false,
    syscalls: false,
    sensitiveFiles: ['/srv/secret'],
    configFiles: [],
  });
  assert.deepEqual([...new Set(only.map((r) => r.key))], [KEYS.exec, KEYS.sensitive]);
  assert.deepEqual(only.at(-1)?.args, ['-w', '/srv/secret', '-p', 'rwa', '-k', 'bulwark-sensitive']);
  assert.throws(
    () => bulwarkRules({ arch: 'riscv64' }),
    (e: unknown) => e instanceof BulwarkError && e.code === 'PLATFORM',
  );
});

test('rules: the syscall rules, filtered on their arguments in the kernel, both ABIs', () => {
  const args = bulwarkRules({ arch: 'x64' })
    .filter((r) => r.key === KEYS.syscalls)
    .map((r) => r.args.slice(3, -2).join(' '));
  const b64 = args.filter((a) => a.startsWith('arch=b64'));
  assert.deepEqual(b64, [
    'arch=b64 -S memfd_create',
    'arch=b64 -S socket -F a0=17',
    'arch=b64 -S socket -F a1&=3 -F a0!=16',
    'arch=b64 -S ptrace -F a0=16',
    'arch=b64 -S ptrace -F a0=0x4206',
    'arch=b64 -S ptrace -F a0>=4 -F a0<=6',
    'arch=b64 -S ptrace -F a0=13',
    'arch=b64 -S ptrace -F a0=0x4205',
    'arch=b64 -S mount,umount2,fsopen,fsmount,move_mount,open_tree',
    'arch=b64 -S setns',
    'arch=b64 -S unshare -F a0&0x7e020080',
    'arch=b64 -S init_module,finit_module,delete_module',
    'arch=b64 -S bpf -F a0=5',
  ]);
  // the same filters for the compat ABI (i386 has umount too), and socketcall's SYS_SOCKET
  assert.deepEqual(
    args.filter((a) => a.startsWith('arch=b32')).map((a) => a.replace('umount,', '')),
    [...b64.map((a) => a.replace('b64', 'b32')), 'arch=b32 -S socketcall -F a0=1'],
  );
  const arm = bulwarkRules({ arch: 'arm64' }).filter((r) => r.key === KEYS.syscalls);
  assert.equal(arm.length, 26, 'no socketcall on arm');
  assert.ok(!bulwarkRules({ arch: 'x64', syscalls: false }).some((r) => r.key === KEYS.syscalls));
});

test('syscalls: lookups both ways', () => {
  assert.equal(syscallName('x86_64', 59), 'execve');
  assert.equal(syscallName('aarch64', 221), 'execve');
  assert.equal(syscallName('i386', 102), 'socketcall');
  assert.equal(syscallName('arm', 283), 'connect');
  assert.equal(syscallName(undefined, 59), undefined);
  assert.equal(syscallName('x86_64', 99999), undefined);
  assert.equal(syscallNumber('aarch64', 'open'), undefined, 'aarch64 has only openat');
  assert.equal(syscallNumber('x86_64', 'nosuchcall'), undefined);
});

test('syscalls: the table agrees with ausyscall (auditd’s own tables)', (t) => {
  if (!requireAll(t, { ausyscall: have('ausyscall') })) return;
  let checked = 0;
  const unknown: string[] = [];
  for (const { arch, name, nr } of syscallTable()) {
    const r = spawnSync('ausyscall', [arch, String(nr)], { encoding: 'utf8' });
    const got = r.stdout.trim();
    if (r.status !== 0 || got === '') {
      unknown.push(`${arch}:${name}`); // newer than the installed tables (fchmodat2)
      continue;
    }
    assert.equal(got, name, `${arch} ${nr}`);
    checked++;
  }
  assert.ok(checked > 150, `${checked} checked`);
  assert.ok(
    unknown.every((u) => u.endsWith(':fchmodat2')),
    unknown.join(' '),
  );
});

test('control: auditctl -s output', () => {
  const s = parseStatus(
    'enabled 1\nfailure 1\npid 9185\nrate_limit 0\nbacklog_limit 8192\nlost 3\nbacklog 2\nbacklog_wait_time 15000\nbacklog_wait_time_actual 0\nloginuid_immutable 0 unlocked\n',
  );
  assert.deepEqual(s, {
    enabled: 1,
    failure: 1,
    pid: 9185,
    rateLimit: 0,
    backlogLimit: 8192,
    lost: 3,
    backlog: 2,
    backlogWaitTime: 15000,
  });
  assert.throws(
    () => parseStatus('No rules'),
    (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT',
  );
});

test('source: auditd.conf / plugin file syntax', () => {
  assert.deepEqual(parseConf('# c\n\nactive = yes\npath=builtin_af_unix\n args = 0640 /var/run/x  \nbad line\n=x\n'), {
    active: 'yes',
    path: 'builtin_af_unix',
    args: '0640 /var/run/x',
  });
});
