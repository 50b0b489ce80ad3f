import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectEvent, SyscallEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import { DEFAULT_RULES_YAML } from '../rules/default-rules.js';
import { RuleSet } from '../rules/ruleset.js';
import { type ProcView, syscallActivity } from './syscall-activity.js';

// Rule fields and evidence of the syscall rules' events, and which default rule each one
// matches: the fields are built as the agent builds them, the rules are the shipped YAML.

const container: ContainerInfo = {
  id: 'c1',
  name: 'web',
  image: 'nginx:1',
  imageId: 'sha256:x',
  labels: {},
  pid: 10,
  running: true,
};
const rules = RuleSet.load([]);

function sc(call: SyscallEvent['call'], o: Partial<SyscallEvent> = {}): SyscallEvent {
  return {
    kind: 'syscall',
    time: new Date(0),
    serial: 1,
    syscall: call.call,
    success: true,
    exit: 0,
    keys: ['bulwark-syscalls'],
    pid: 200,
    ppid: 100,
    uid: 0,
    euid: 0,
    gid: 0,
    egid: 0,
    comm: 'x',
    exe: '/usr/bin/x',
    call,
    ...o,
  };
}

const view = (o: Partial<ProcView> = {}): ProcView => ({
  namespaces: () => undefined,
  mountAt: () => undefined,
  ...o,
});

function matched(a: SyscallEvent | ConnectEvent, v = view()): string[] {
  const seen = syscallActivity(a, container, v);
  return seen ? rules.match(seen.fields).map((m) => m.rule.name) : [];
}

const socket = (family: string, type: string): SyscallEvent['call'] => ({
  family: 'socket',
  call: 'socket',
  args: { family, type, flags: '', protocol: 0 },
  summary: `socket(${family}, ${type}, 0)`,
});

test('sockets: packet and raw sockets fire their rules; netlink raw and TCP do not', () => {
  assert.deepEqual(matched(sc(socket('AF_PACKET', 'SOCK_RAW'))), ['Packet socket opened']);
  assert.deepEqual(matched(sc(socket('AF_PACKET', 'SOCK_DGRAM'))), ['Packet socket opened']);
  assert.deepEqual(matched(sc(socket('AF_INET6', 'SOCK_RAW'))), ['Raw socket opened']);
  // (the kernel filter keeps these out; were one to come, no rule would fire)
  assert.deepEqual(matched(sc(socket('AF_NETLINK', 'SOCK_RAW'))), []);
  assert.deepEqual(matched(sc(socket('AF_INET', 'SOCK_STREAM'))), []);
});

test('fields: the call, its decoded arguments and the container; output names them', () => {
  const seen = syscallActivity(sc(socket('AF_PACKET', 'SOCK_RAW'), { exit: 3 }), container, view())!;
  assert.equal(seen.fields['evt.type'], 'syscall');
  assert.equal(seen.fields['syscall.name'], 'socket');
  assert.equal(seen.fields['socket.family'], 'AF_PACKET');
  assert.equal(seen.fields['container.image'], 'nginx:1');
  assert.deepEqual(seen.evidence, {
    syscall: 'socket',
    family: 'AF_PACKET',
    type: 'SOCK_RAW',
    flags: '',
    protocol: 0,
    result: 3,
  });
  const [m] = rules.match(seen.fields);
  assert.match(
    m!.message,
    /packet socket opened by \/usr\/bin\/x in web \(nginx:1\): socket\(AF_PACKET, SOCK_RAW, 0\) = 3/,
  );
});

test('ptrace: injection requests only', () => {
  const pt = (request: string): SyscallEvent['call'] => ({
    family: 'ptrace',
    call: 'ptrace',
    args: { request, pid: 7 },
    summary: '',
  });
  assert.deepEqual(matched(sc(pt('PTRACE_ATTACH'))), ['Process injection via ptrace']);
  assert.deepEqual(matched(sc(pt('PTRACE_POKETEXT'))), ['Process injection via ptrace']);
  assert.deepEqual(matched(sc(pt('PTRACE_TRACEME'))), []);
});

test('mount and namespaces: evidence from /proc (the parent when the caller is gone); runc never reported', () => {
  const mount: SyscallEvent['call'] = {
    family: 'mount',
    call: 'mount',
    args: { target: '/mnt', flags: '' },
    summary: '',
  };
  const mounts = view({
    mountAt: (pid, t) => (pid === 100 && t === '/mnt' ? { source: '/dev/vda', fstype: 'ext4' } : undefined),
  });
  const seen = syscallActivity(sc(mount), container, mounts)!;
  assert.deepEqual([seen.evidence.source, seen.fields['mount.fstype']], ['/dev/vda', 'ext4']);
  assert.deepEqual(matched(sc(mount), mounts), ['Mount in container']);
  // a refused mount is still an attempt, with no /proc look-up
  const refused = syscallActivity(sc(mount, { success: false, exit: -16 }), container, mounts)!;
  assert.deepEqual([refused.evidence.source, refused.fields['evt.success']], [undefined, false]);
  // runc's own work in the container's cgroup
  assert.equal(syscallActivity(sc(mount, { comm: 'runc:[2:INIT]' }), container, mounts), undefined);
  assert.equal(syscallActivity(sc(mount, { comm: 'runc', exe: '/usr/sbin/runc' }), container, mounts), undefined);
  assert.equal(syscallActivity(sc(mount, { exe: '/' }), container, mounts), undefined);
  assert.equal(syscallActivity(sc(mount, { comm: 'exe', exe: '/usr/sbin/runc' }), container, mounts), undefined);
  assert.ok(syscallActivity(sc(mount, { comm: 'exe', exe: '/usr/bin/x' }), container, mounts));

  const setns: SyscallEvent['call'] = {
    family: 'namespace',
    call: 'setns',
    args: { fd: 3, namespaces: 'any' },
    summary: '',
  };
  const ns = (mnt: string): Map<string, string> =>
    new Map([
      ['mnt', mnt],
      ['uts', 'uts:[2]'],
    ]);
  const host = view({
    namespaces: (pid) =>
      pid === 200
        ? ns('mnt:[1]')
        : pid === 1
          ? new Map([
              ['mnt', 'mnt:[1]'],
              ['uts', 'uts:[1]'],
            ])
          : undefined,
  });
  const entered = syscallActivity(sc(setns), container, host)!;
  assert.equal(entered.fields['ns.host_namespaces'], 'mnt');
  assert.deepEqual(matched(sc(setns), host), ['Namespace change in container']);
});

test('modules, bpf, memfd (off by default), and the engine socket', () => {
  const mod: SyscallEvent['call'] = {
    family: 'module',
    call: 'finit_module',
    args: { op: 'load', fd: 3 },
    summary: '',
  };
  assert.deepEqual(matched(sc(mod)), ['Kernel module loaded from container']);
  const bpf = (cmd: string): SyscallEvent['call'] => ({ family: 'bpf', call: 'bpf', args: { cmd }, summary: '' });
  assert.deepEqual(matched(sc(bpf('BPF_PROG_LOAD'))), ['BPF program loaded from container']);
  assert.deepEqual(matched(sc(bpf('0'))), []);
  const memfd: SyscallEvent['call'] = { family: 'memfd', call: 'memfd_create', args: { flags: '' }, summary: '' };
  assert.deepEqual(matched(sc(memfd)), []);

  const connect = (address: string, family: ConnectEvent['family'] = 'unix'): ConnectEvent => {
    const rest: Partial<SyscallEvent> = { ...sc(memfd) };
    delete rest.call;
    return { ...(rest as Omit<SyscallEvent, 'call' | 'kind'>), kind: 'connect', syscall: 'connect', family, address };
  };
  assert.deepEqual(matched(connect('/var/run/docker.sock')), ['Docker socket accessed from a container']);
  assert.deepEqual(matched(connect('/run/containerd/containerd.sock')), ['Docker socket accessed from a container']);
  assert.deepEqual(matched(connect('/tmp/app.sock')), []);
  // users allow a program or an image by appending to the lists
  const tuned = RuleSet.fromTexts([
    { text: DEFAULT_RULES_YAML, input: 'default rules' },
    { text: '- list: allowed_engine_socket_images\n  append: true\n  items: [nginx:1]\n', input: 'user' },
  ]);
  const seen = syscallActivity(connect('/var/run/docker.sock'), container, view())!;
  assert.deepEqual(tuned.match(seen.fields), []);
});
