import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditEventAssembler, type AuditEvent, parseRecord } from './records.js';
import { type ConnectEvent, interpretEvent, type SyscallEvent } from './interpret.js';
import { decodeSyscall } from './syscall-args.js';

// Real records from this machine's kernel (fixtures/capture-syscalls.ts: each action of
// test/fixtures/syscall-actions.c on the host, then TCP, UDP and netlink sockets, which the
// kernel's filter must leave out).

const here = dirname(fileURLToPath(import.meta.url));

function activities(): { syscalls: SyscallEvent[]; connects: ConnectEvent[] } {
  const events: AuditEvent[] = [];
  const asm = new AuditEventAssembler({ onEvent: (e) => events.push(e) });
  for (const l of readFileSync(join(here, 'fixtures', 'syscalls-raw.log'), 'utf8').split('\n'))
    if (l.length > 0) asm.pushLine(l);
  asm.flushAll();
  const acts = events.flatMap(interpretEvent).filter((a) => a.comm === 'syscall-actions');
  return {
    syscalls: acts.filter((a): a is SyscallEvent => a.kind === 'syscall'),
    connects: acts.filter((a): a is ConnectEvent => a.kind === 'connect'),
  };
}

test('syscall records: every action decoded, in order, and nothing for TCP, UDP or netlink sockets', () => {
  const { syscalls } = activities();
  assert.deepEqual(
    syscalls.map((s) => s.call.summary),
    [
      'memfd_create(…, MFD_CLOEXEC)',
      'socket(AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, 768)',
      'socket(AF_INET, SOCK_RAW|SOCK_NONBLOCK, 1)',
      `ptrace(PTRACE_ATTACH, ${syscalls[3]!.call.args.pid} [syscall-actions])`,
      `ptrace(PTRACE_POKEDATA, ${syscalls[3]!.call.args.pid})`,
      'unshare(mnt,uts)',
      'finit_module(3)',
      'delete_module(…)',
      'bpf(BPF_PROG_LOAD)',
      `mount(…, ${syscalls[9]!.call.args.target}, …, MS_RDONLY|MS_NOSUID)`,
      `umount2(${syscalls[9]!.call.args.target}, MNT_DETACH)`,
      'setns(3, any)',
    ],
  );
  assert.ok(syscalls.every((s) => s.key === 'bulwark-syscalls' && s.arch === 'x86_64'));
  const by = (call: string): SyscallEvent => syscalls.find((s) => s.call.call === call)!;
  assert.deepEqual(by('socket').call.args, {
    family: 'AF_PACKET',
    type: 'SOCK_RAW',
    flags: 'SOCK_CLOEXEC',
    protocol: 768,
  });
  assert.equal(by('socket').call.family, 'socket');
  assert.deepEqual(by('bpf').call.args.cmd, 'BPF_PROG_LOAD');
  assert.equal(typeof by('bpf').call.args.prog_id, 'number', 'from the BPF record');
  assert.equal(by('bpf').exit, 3);
  assert.match(String(by('mount').call.args.target), /^\/tmp\/bulwark-capture-syscalls-\w+\/mnt$/);
  assert.equal(by('mount').success, true);
  // this kernel has no module support: the attempt is audited all the same
  assert.deepEqual([by('finit_module').success, by('finit_module').exit], [false, -38]);
  assert.deepEqual(by('delete_module').call.args, { op: 'unload' });
  assert.deepEqual(by('setns').call.args, { fd: 3, namespaces: 'any' });
  assert.equal(by('unshare').call.family, 'namespace');
});

test('syscall records: a unix connect keeps its path (the engine socket rule)', () => {
  const { connects } = activities();
  assert.equal(connects.length, 1);
  assert.equal(connects[0]!.family, 'unix');
  assert.match(connects[0]!.address, /\/docker\.sock$/);
});

const fields = (line: string): ReadonlyMap<string, string> => parseRecord(line)!.fields;

test('decodeSyscall: flags and unknown values, i386 socketcall, calls outside the rules', () => {
  const sc = (a: string): ReadonlyMap<string, string> =>
    fields(`type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=41 success=yes exit=3 ${a} items=0 pid=1 uid=0`);
  assert.equal(decodeSyscall('socket', sc('a0=2 a1=3 a2=ff'), [])?.summary, 'socket(AF_INET, SOCK_RAW, 255)');
  assert.equal(
    decodeSyscall('socket', sc('a0=29 a1=80805 a2=0'), [])?.summary,
    'socket(41, SOCK_SEQPACKET|SOCK_NONBLOCK|SOCK_CLOEXEC, 0)',
  );
  assert.equal(decodeSyscall('unshare', sc('a0=50000080'), [])?.args.namespaces, 'user,net,time');
  assert.equal(decodeSyscall('setns', sc('a0=4 a1=20000'), [])?.summary, 'setns(4, mnt)');
  assert.equal(decodeSyscall('ptrace', sc('a0=4206 a1=7'), [])?.args.request, 'PTRACE_SEIZE');
  assert.equal(decodeSyscall('ptrace', sc('a0=4242 a1=7'), [])?.args.request, '16962');
  assert.equal(decodeSyscall('mount', sc('a0=0 a1=0 a2=0 a3=5000'), [])?.args.flags, 'MS_BIND|MS_REC');
  assert.equal(decodeSyscall('openat', sc('a0=0'), []), undefined);
  // i386: socketcall(SYS_SOCKET, args) with the SOCKETCALL record; other socketcalls are not ours
  const recs = [parseRecord('type=SOCKETCALL msg=audit(1.0:1): nargs=3 a0=11 a1=3 a2=300')!];
  const i386 = (a0: string): ReadonlyMap<string, string> =>
    fields(
      `type=SYSCALL msg=audit(1.0:1): arch=40000003 syscall=102 success=yes exit=3 a0=${a0} a1=ffd0 items=0 pid=1 uid=0`,
    );
  assert.equal(decodeSyscall('socketcall', i386('1'), recs)?.summary, 'socket(AF_PACKET, SOCK_RAW, 768)');
  assert.equal(decodeSyscall('socketcall', i386('2'), recs), undefined);
  assert.equal(decodeSyscall('socketcall', i386('1'), []), undefined);
});
