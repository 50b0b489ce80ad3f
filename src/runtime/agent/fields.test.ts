import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectEvent, ExecEvent, OpenEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import { RuleSet } from '../rules/ruleset.js';
import {
  connectFields,
  containerExecFields,
  execFields,
  forkBombFields,
  heldExecFields,
  openFields,
  withParentName,
} from './fields.js';

const WEB: ContainerInfo = {
  id: 'c0ffee'.padEnd(64, '0'),
  name: 'web',
  image: 'nginx:1.27',
  imageId: 'sha256:abc',
  pid: 42,
  running: true,
  labels: {},
};
const base = {
  time: new Date(0),
  serial: 1,
  syscall: 'execve',
  success: true,
  exit: 0,
  keys: [],
  pid: 100,
  ppid: 42,
  uid: 0,
  euid: 0,
  gid: 0,
  egid: 0,
};

test('exec fields: name from comm (else the file), arguments, drift, login uid only when set', () => {
  const exec: ExecEvent = {
    ...base,
    kind: 'exec',
    exe: '/bin/busybox',
    comm: 'sh',
    argv: ['sh', '-c', 'id'],
    auid: 1000,
  };
  assert.deepEqual(execFields(exec, WEB, false), {
    'proc.pid': 100,
    'proc.ppid': 42,
    'proc.name': 'sh',
    'proc.exe': '/bin/busybox',
    'user.uid': 0,
    'user.loginuid': 1000,
    'container.id': WEB.id,
    'container.name': 'web',
    'container.image': 'nginx:1.27',
    'evt.type': 'exec',
    'proc.args': ['sh', '-c', 'id'],
    'proc.cmdline': 'sh -c id',
    'proc.drift': false,
    'proc.drift_reason': '',
  });
  const bare: ExecEvent = { ...base, kind: 'exec', exe: '/tmp/xmrig', argv: ['xmrig'] };
  const fields = execFields(bare, WEB, true);
  assert.equal(fields['proc.name'], 'xmrig');
  assert.equal('user.loginuid' in fields, false);
  assert.deepEqual(
    RuleSet.load()
      .match(fields)
      .map((m) => m.rule.name),
    ['Drifted executable'],
  );
  // a memfd program is drift of its own kind: that rule, not both
  const memfd = execFields({ ...bare, exe: '/memfd:x (deleted)' }, WEB, true, 'memfd');
  assert.equal(memfd['proc.drift_reason'], 'memfd');
  assert.deepEqual(
    RuleSet.load()
      .match(memfd)
      .map((m) => m.rule.name),
    ['Fileless execution'],
  );
});

test('open, connect and held exec fields: what the default rules read', () => {
  const open: OpenEvent = {
    ...base,
    kind: 'open',
    syscall: 'openat',
    exe: '/bin/cat',
    comm: 'cat',
    path: '/var/lib/docker/overlay2/x/merged/etc/shadow',
    paths: [],
    write: false,
    create: false,
  };
  const fields = openFields(open, WEB, '/etc/shadow');
  assert.equal(fields['fd.directory'], '/etc');
  assert.equal(fields['fd.write'], false);
  assert.deepEqual(
    RuleSet.load()
      .match(fields)
      .map((m) => m.rule.name),
    ['Sensitive file read'],
  );
  assert.equal(
    openFields({ ...open, write: undefined }, WEB, '/etc/shadow')['fd.write'],
    false,
    'unknown flags: not a write',
  );
  const connect: ConnectEvent = {
    ...base,
    kind: 'connect',
    syscall: 'connect',
    exe: '/bin/nc',
    family: 'inet',
    address: '10.0.0.9',
    port: 4444,
  };
  assert.deepEqual(
    RuleSet.load()
      .match(connectFields(connect, WEB))
      .map((m) => m.message),
    ['/bin/nc in web (nginx:1.27) connected to 10.0.0.9 port 4444 (pid 100, uid 0)'],
  );
  assert.equal('net.port' in connectFields({ ...connect, port: undefined }, WEB), false);
  assert.deepEqual(heldExecFields(WEB, '/tmp/x', 5, true, 'tmpfs'), {
    'evt.type': 'exec',
    'proc.exe': '/tmp/x',
    'proc.name': 'x',
    'proc.pid': 5,
    'proc.drift': true,
    'proc.drift_reason': 'tmpfs',
    'container.id': WEB.id,
    'container.name': 'web',
    'container.image': 'nginx:1.27',
  });
});

test('the parent name is looked up once, and only when read', () => {
  const asked: number[] = [];
  const fields = withParentName({ 'proc.pid': 1 }, 42, (pid) => (asked.push(pid), 'runc'));
  assert.deepEqual(asked, []);
  assert.equal(fields['proc.pname'], 'runc');
  assert.equal(fields['proc.pname'], 'runc');
  assert.deepEqual(asked, [42]);
  assert.equal(withParentName({}, 7, () => undefined)['proc.pname'], '', 'gone parent: empty name');
});

test('exec session fields: the user when known, "<unknown>" otherwise', () => {
  assert.equal(containerExecFields(WEB, 'sh -c id', undefined, undefined)['user.name'], '<unknown>');
  const fields = containerExecFields(WEB, 'sh -c id', { uid: 1000 }, 'alice');
  assert.deepEqual([fields['user.name'], fields['user.uid'], fields['proc.args']], ['alice', 1000, ['sh', '-c', 'id']]);
  assert.deepEqual(
    RuleSet.load()
      .match(fields)
      .map((m) => m.message),
    ['exec session in web (nginx:1.27): sh -c id by alice'],
  );
});

test('fork bomb fields: counts at the start, what was killed at the end', () => {
  const start = forkBombFields({
    phase: 'start',
    container: WEB,
    reason: 'r',
    processes: 64,
    pidsLimit: 64,
    contain: false,
  });
  assert.equal(start['fork.phase'], 'start');
  assert.equal(start['fork.processes'], 64);
  assert.equal(start['fork.pids_limit'], 64);
  assert.equal(start['fork.rate'], undefined);
  assert.match(String(start['fork.summary']), /64 processes, pids limit 64; containment off$/);
  const end = forkBombFields({
    phase: 'end',
    container: WEB,
    reason: 'r',
    durationMs: 50,
    peak: 64,
    killed: 61,
    program: 'bash',
    cappedAt: 64,
    left: 3,
  });
  assert.deepEqual(
    [end['fork.phase'], end['fork.killed'], end['fork.program'], end['fork.processes'], end['fork.pids_limit']],
    ['end', 61, 'bash', 3, 64],
  );
});

test('exec fields: a busybox applet re-run through /proc/self/exe (comm "exe") is named by its argv[0]', () => {
  const applet: ExecEvent = {
    ...base,
    kind: 'exec',
    exe: '/bin/busybox',
    comm: 'exe',
    path: '/proc/self/exe',
    argv: ['base64', '-d'],
  };
  assert.equal(execFields(applet, WEB, false)['proc.name'], 'base64');
  // a program really named exe, run by its path, keeps its name
  assert.equal(execFields({ ...applet, path: '/usr/local/bin/exe' }, WEB, false)['proc.name'], 'exe');
});
