import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, copyFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { have, requireAll } from '../../../test/support/require.js';
import { auditctlBatch, auditctlSync, type AuditStatus, auditStatus, parseStatus } from './control.js';
import type { AuditActivity, ConnectEvent, ExecEvent, OpenEvent, SetuidEvent } from './interpret.js';
import { ALL_KEYS, bulwarkRules, installRules, listRules, removeRules, removeRulesSync } from './rules.js';
import { auditdArgs, writeAuditdConfig } from './daemon-config.js';
import { type AuditSource, startAuditSource } from './source.js';

// The real kernel audit, as root. This file is the only one that changes the kernel's audit
// state (test files run in parallel); every test puts back what it changed, and the after()
// hook does so again in case a test failed half-way.
// bulwark-test: exclusive (changes the kernel's audit rules and daemon)

const isRoot = process.getuid?.() === 0;
const hasCtl = have('auditctl');
const initialText = hasCtl && isRoot ? spawnSync('auditctl', ['-s'], { encoding: 'utf8' }) : undefined;
const initial: AuditStatus | undefined = initialText?.status === 0 ? parseStatus(initialText.stdout) : undefined;
const started: ChildProcess[] = [];
const temps: TempDir[] = [];

function ready(t: TestContext): boolean {
  return requireAll(t, {
    root: isRoot,
    auditctl: hasCtl,
    auditd: have('auditd'),
    'kernel audit (auditctl -s)': initial !== undefined,
    'no audit daemon already running (auditctl -s pid 0)': initial?.pid === 0,
  });
}

after(async () => {
  if (!initial) return;
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeRulesSync(ALL_KEYS);
  auditctlSync(['-D', '-k', 'other-tool-test']);
  auditctlSync(['-e', String(Math.min(initial.enabled, 1))]);
  auditctlSync(['-b', String(initial.backlogLimit)]);
  await Promise.all(temps.map((d) => d.remove()));
});

async function temp(prefix: string): Promise<TempDir> {
  const d = await makeTempDir(prefix);
  temps.push(d);
  return d;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function collector() {
  const execs = new Map<number, ExecEvent[]>();
  const deliveredAt = new Map<number, number>();
  const all: AuditActivity[] = [];
  const errors: Error[] = [];
  return {
    execs,
    deliveredAt,
    all,
    errors,
    onEvent: (a: AuditActivity): void => {
      all.push(a);
      if (a.kind === 'exec') {
        const list = execs.get(a.pid) ?? [];
        list.push(a);
        execs.set(a.pid, list);
        if (a.success && !deliveredAt.has(a.pid)) deliveredAt.set(a.pid, performance.now());
      }
    },
    onError: (e: Error): void => void errors.push(e),
    okExec: (pid: number): ExecEvent | undefined => execs.get(pid)?.find((e) => e.success),
  };
}

async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; uid?: number; gid?: number } = {},
): Promise<{ pid: number; t0: number }> {
  const t0 = performance.now();
  const c = spawn(cmd, args, { stdio: 'ignore', ...opts });
  const pid = c.pid;
  assert.ok(pid, `${cmd} started`);
  await once(c, 'exit');
  return { pid, t0 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function checkRestored(src: AuditSource): Promise<void> {
  assert.deepEqual(await listRules(), [], 'no bulwark rules left');
  const now = await auditStatus();
  assert.equal(now.enabled, initial?.enabled, 'audit enabled flag restored');
  assert.equal(now.backlogLimit, initial?.backlogLimit, 'backlog limit restored');
  if (src.mode.startsWith('daemon')) assert.equal(now.pid, 0, 'our auditd is gone');
}

async function startForeignAuditd(
  dir: string,
  opts: { socket: boolean; writeLogs: boolean },
): Promise<{ child: ChildProcess; etcDir: string; socketPath: string }> {
  const files = await writeAuditdConfig(dir, opts);
  const child = spawn('auditd', auditdArgs(files.etcDir, initial?.enabled === 0), { stdio: 'ignore' });
  started.push(child);
  await waitFor(
    'the other auditd',
    () => spawnSync('auditctl', ['-s'], { encoding: 'utf8' }).stdout.includes(`pid ${child.pid}\n`),
    10_000,
  );
  if (opts.socket) await waitFor('its socket', () => existsSync(files.socketPath), 5000);
  return { child, etcDir: files.etcDir, socketPath: files.socketPath };
}

async function stopForeign(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await once(child, 'exit');
  auditctlSync(['-e', String(Math.min(initial?.enabled ?? 0, 1))]); // auditd leaves audit on
}

test('kernel: rules install idempotently, and only ours are removed', async (t) => {
  if (!ready(t)) return;
  assert.equal(auditctlSync(['-w', '/etc/hostname', '-p', 'wa', '-k', 'other-tool-test']).code, 0);
  try {
    const rules = bulwarkRules();
    const first = await installRules(rules);
    assert.equal(first.added + first.skipped.length, rules.length);
    assert.ok(first.added >= 6, JSON.stringify(first));
    const second = await installRules(rules);
    assert.equal(second.added, 0);
    assert.equal(second.existing, first.added, 'a second install finds them all present');
    assert.equal((await listRules()).length, first.added);
    await removeRules();
    await removeRules(); // idempotent
    assert.deepEqual(await listRules(), []);
    assert.match(auditctlSync(['-l']).stdout, /other-tool-test/, 'a rule of another tool stays');
  } finally {
    auditctlSync(['-D', '-k', 'other-tool-test']);
    removeRulesSync();
  }
});

test('kernel: a batch of rules goes in one auditctl run; refused lines are reported and the rest still go in', async (t) => {
  if (!ready(t)) return;
  const dir = await makeTempDir('bulwark-batch-');
  const key = 'bulwark-batch-test';
  const watch = (p: string): string[] => ['-w', p, '-p', 'wa', '-k', key];
  try {
    const rules = [
      watch(join(dir.path, 'a')),
      watch(join(dir.path, 'no-such-dir', 'b')), // refused: its directory is missing
      watch(join(dir.path, 'c')),
      watch(join(dir.path, 'no-such-dir', 'd')),
      watch(join(dir.path, 'e')),
    ];
    assert.deepEqual(await auditctlBatch(rules), [true, false, true, false, true]);
    const listed = (): string[] =>
      auditctlSync(['-l', '-k', key])
        .stdout.split('\n')
        .filter((l) => l.includes(key));
    assert.deepEqual(
      listed(),
      ['a', 'c', 'e'].map((f) => `-w ${join(dir.path, f)} -p wa -k ${key}`),
    );
    // deleting: those never added are refused, the others go
    assert.deepEqual(await auditctlBatch(rules.map((r) => r.map((x) => (x === '-w' ? '-W' : x)))), [
      true,
      false,
      true,
      false,
      true,
    ]);
    assert.deepEqual(listed(), []);
  } finally {
    auditctlSync(['-D', '-k', key]);
    await dir.remove();
  }
});

test('kernel: 200 short-lived execs (and a burst of 200) all arrive, with exe, argv, cwd, uid; file, connect, set-uid', async (t) => {
  if (!ready(t)) return;
  const dir = await temp('bulwark-audit-');
  const work = await temp('bulwark-audit-work-');
  await chmod(work.path, 0o755);
  const c = collector();
  const src = await startAuditSource({ dir: dir.path, onEvent: c.onEvent, onError: c.onError });
  try {
    assert.equal(src.mode, 'daemon-socket');
    const trueExe = realpathSync('/bin/true');

    const seq: { pid: number; t0: number }[] = [];
    for (let i = 0; i < 200; i++) seq.push(await run('/bin/true', [], { cwd: work.path }));
    const burst = await Promise.all(Array.from({ length: 200 }, () => run('/bin/true', ['burst'], { cwd: work.path })));
    const sh = await run('sh', ['-c', 'exit 0'], { cwd: work.path });
    const cat = await run('cat', ['/etc/shadow']);

    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = createConnection({ host: '127.0.0.1', port });
    await once(client, 'connect');
    client.destroy();
    server.close();

    await copyFile('/usr/bin/id', join(work.path, 'suid-id'));
    await chmod(join(work.path, 'suid-id'), 0o4755);
    const suid = await run(join(work.path, 'suid-id'), ['-u'], { uid: 65534, gid: 65534 });

    const pids = [...seq, ...burst].map((s) => s.pid);
    await waitFor(
      'every exec event',
      () => pids.every((p) => c.okExec(p)) && c.okExec(sh.pid) !== undefined && c.okExec(suid.pid) !== undefined,
    );
    await waitFor('the /etc/shadow open', () => c.all.some((a) => a.kind === 'open' && a.pid === cat.pid));
    await waitFor('the connect', () => c.all.some((a) => a.kind === 'connect' && a.port === port));

    for (const { pid } of seq) {
      const e = c.okExec(pid) as ExecEvent;
      assert.equal(e.exe, trueExe);
      assert.equal(e.dev, statSync(trueExe).dev, "the program file's device, as stat gives it");
      assert.deepEqual(e.argv, ['/bin/true']);
      assert.equal(e.cwd, work.path);
      assert.equal(e.uid, 0);
      assert.equal(e.euid, 0);
      assert.equal(e.ppid, process.pid);
      assert.equal(e.key, 'bulwark-exec');
    }
    for (const { pid } of burst) assert.deepEqual(c.okExec(pid)?.argv, ['/bin/true', 'burst']);

    // execvp looks sh up along PATH: the misses are failed execs of the same pid.
    const shExec = c.okExec(sh.pid) as ExecEvent;
    assert.deepEqual(shExec.argv, ['sh', '-c', 'exit 0']);
    assert.equal(shExec.exe, realpathSync('/bin/sh'));
    assert.equal(shExec.cwd, work.path);

    const open = c.all.find((a): a is OpenEvent => a.kind === 'open' && a.pid === cat.pid);
    assert.equal(open?.path, '/etc/shadow');
    assert.equal(open?.key, 'bulwark-sensitive');
    assert.equal(open?.write, false);

    const conn = c.all.find((a): a is ConnectEvent => a.kind === 'connect' && a.port === port);
    assert.equal(conn?.pid, process.pid);
    assert.equal(conn?.family, 'inet');
    assert.equal(conn?.address, '127.0.0.1');
    assert.equal(conn?.key, 'bulwark-connect');

    const se = c.all.find(
      (a): a is SetuidEvent => a.kind === 'setuid' && a.pid === suid.pid && a.cause === 'setuid-exec',
    );
    assert.equal(se?.uid, 65534);
    assert.equal(se?.euid, 0);
    assert.equal(se?.path, join(work.path, 'suid-id'));

    const lat = seq.map((s) => (c.deliveredAt.get(s.pid) as number) - s.t0).sort((a, b) => a - b);
    const stats = await src.refreshStats();
    const msg = `exec → event delivered over ${lat.length} sequential runs: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms, max ${(lat.at(-1) as number).toFixed(2)} ms; kernel lost ${stats.kernelLost}; ${stats.events} events, ${stats.malformed} malformed lines`;
    t.diagnostic(msg);
    console.log(msg);
    assert.equal(stats.kernelLost, 0);
    assert.equal(stats.malformed, 0);
    assert.deepEqual(c.errors, []);
  } finally {
    await src.stop();
  }
  await checkRestored(src);
  assert.ok(!existsSync(join(dir.path, 'etc')), 'the private config is removed');
  assert.ok(!existsSync(join(dir.path, 'events.sock')));
});

test('kernel: a new daemon starts a new log: records of an earlier run are never read again', async (t) => {
  if (!ready(t)) return;
  const dir = await temp('bulwark-audit-');
  const rules = bulwarkRules({ connect: false, privilege: false, sensitiveFiles: [], configFiles: [] });
  const first = collector();
  const a = await startAuditSource({
    dir: dir.path,
    transport: 'log',
    onEvent: first.onEvent,
    onError: first.onError,
    rules,
  });
  let earlier: { pid: number };
  try {
    assert.equal(a.mode, 'daemon-log');
    earlier = await run('/bin/true', ['first-run']);
    await waitFor("the first run's exec", () => first.okExec(earlier.pid) !== undefined);
  } finally {
    await a.stop();
  }
  const second = collector();
  const b = await startAuditSource({
    dir: dir.path,
    transport: 'log',
    onEvent: second.onEvent,
    onError: second.onError,
    rules,
  });
  try {
    const now = await run('/bin/true', ['second-run']);
    await waitFor("the second run's exec", () => second.okExec(now.pid) !== undefined);
    assert.equal(second.okExec(earlier.pid), undefined, "the first run's exec is not delivered again");
    assert.ok(!second.all.some((x) => x.kind === 'exec' && x.argv.includes('first-run')));
  } finally {
    await b.stop();
  }
  await checkRestored(b);
});

test('kernel: our auditd killed is started again, and events keep coming', async (t) => {
  if (!ready(t)) return;
  const dir = await temp('bulwark-audit-');
  const c = collector();
  const src = await startAuditSource({
    dir: dir.path,
    onEvent: c.onEvent,
    onError: c.onError,
    rules: bulwarkRules({ connect: false, privilege: false, sensitiveFiles: [], configFiles: [] }),
  });
  try {
    const first = src.stats().daemonPid;
    process.kill(first, 'SIGKILL');
    await waitFor('a new auditd', () => src.stats().daemonRestarts === 1);
    assert.notEqual(src.stats().daemonPid, first);
    assert.equal((await auditStatus()).pid, src.stats().daemonPid, 'the kernel sends to the new one');
    const r = await run('/bin/true', ['after-restart']);
    await waitFor('the exec after the restart', () => c.okExec(r.pid) !== undefined);
    assert.ok(
      c.errors.some((e) => /auditd: exited unexpectedly \(SIGKILL\); starting it again/.test(e.message)),
      c.errors.join(' | '),
    );
  } finally {
    await src.stop();
  }
  await checkRestored(src);
});

test('kernel: our auditd ends with the process that started it (parent-death signal); a new source starts after such a crash', async (t) => {
  if (!ready(t) || !requireAll(t, { 'setpriv (util-linux)': have('setpriv') })) return;
  const dir = await temp('bulwark-audit-');
  // a separate Node process starts the source and is then killed outright
  const script = `import { startAuditSource } from ${JSON.stringify(new URL('./source.ts', import.meta.url).pathname)};
const src = await startAuditSource({ dir: ${JSON.stringify(dir.path)}, onEvent() {}, onError() {}, rules: [] });
console.log(src.stats().daemonPid);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const daemon = Number(line.toString().trim());
  assert.ok(daemon > 0);
  child.kill('SIGKILL');
  await waitFor(
    'its auditd to exit',
    () => !existsSync(`/proc/${daemon}`) || /^State:\s+Z/m.test(readFileSync(`/proc/${daemon}/status`, 'utf8')),
  );
  // the kernel still names the dead daemon until it next sends: a new source replaces it
  const c = collector();
  const src = await startAuditSource({
    dir: dir.path,
    onEvent: c.onEvent,
    onError: c.onError,
    rules: bulwarkRules({ connect: false, privilege: false, sensitiveFiles: [], configFiles: [] }),
  });
  try {
    assert.equal(src.mode, 'daemon-socket');
    const r = await run('/bin/true', ['after-crash']);
    await waitFor('an exec through the new daemon', () => c.okExec(r.pid) !== undefined);
  } finally {
    await src.stop();
  }
  removeRulesSync(ALL_KEYS);
  auditctlSync(['-e', String(Math.min(initial!.enabled, 1))]);
});

test('kernel: reading our auditd’s log instead of its socket delivers too (audit already on: left on)', async (t) => {
  if (!ready(t)) return;
  auditctlSync(['-e', '1']);
  const dir = await temp('bulwark-audit-');
  const c = collector();
  const src = await startAuditSource({
    dir: dir.path,
    transport: 'log',
    onEvent: c.onEvent,
    onError: c.onError,
    rules: bulwarkRules({ connect: false, privilege: false, sensitiveFiles: [], configFiles: [] }),
  });
  try {
    assert.equal(src.mode, 'daemon-log');
    const runs: { pid: number; t0: number }[] = [];
    for (let i = 0; i < 50; i++) runs.push(await run('/bin/true', []));
    await waitFor('every exec event', () => runs.every((r) => c.okExec(r.pid)));
    const lat = runs.map((s) => (c.deliveredAt.get(s.pid) as number) - s.t0).sort((a, b) => a - b);
    const msg = `log transport: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms over ${lat.length} runs`;
    t.diagnostic(msg);
    console.log(msg);
    assert.deepEqual(c.errors, []);
  } finally {
    await src.stop();
    const now = await auditStatus();
    auditctlSync(['-e', String(Math.min(initial?.enabled ?? 0, 1))]);
    assert.equal(now.enabled, 1, 'audit was on before, so it stays on (-s nochange)');
    assert.equal(now.pid, 0);
  }
  assert.deepEqual(await listRules(), []);
});

test('kernel: events the kernel drops are counted and reported', async (t) => {
  if (!ready(t)) return;
  const dir = await temp('bulwark-audit-');
  const c = collector();
  const lost: number[] = [];
  // A rate limit of 5 records/s makes the kernel drop most of a burst.
  const src = await startAuditSource({
    dir: dir.path,
    rateLimit: 5,
    statsIntervalMs: 0,
    onLost: (n) => lost.push(n),
    onEvent: c.onEvent,
    onError: c.onError,
    rules: bulwarkRules({ connect: false, privilege: false, sensitiveFiles: [], configFiles: [] }),
  });
  try {
    await Promise.all(Array.from({ length: 50 }, () => run('/bin/true', [])));
    const stats = await src.refreshStats();
    assert.ok(stats.kernelLost > 0, JSON.stringify(stats));
    assert.equal(
      lost.reduce((a, b) => a + b, 0),
      stats.kernelLost,
    );
    t.diagnostic(`rate limit 5/s: ${stats.kernelLost} records lost and reported`);
  } finally {
    await src.stop();
  }
  await checkRestored(src);
  assert.equal((await auditStatus()).rateLimit, initial?.rateLimit, 'rate limit restored');
});

test('kernel: with an auditd already running, we attach to its log and leave it running', async (t) => {
  if (!ready(t)) return;
  const other = await temp('bulwark-other-auditd-');
  const foreign = await startForeignAuditd(other.path, { socket: false, writeLogs: true });
  try {
    const dir = await temp('bulwark-audit-');
    const c = collector();
    const src = await startAuditSource({
      dir: dir.path,
      systemConfigDir: foreign.etcDir,
      onEvent: c.onEvent,
      onError: c.onError,
    });
    try {
      assert.equal(src.mode, 'attach-log');
      assert.equal(src.stats().daemonPid, foreign.child.pid);
      const runs: number[] = [];
      for (let i = 0; i < 50; i++) runs.push((await run('/bin/true', [])).pid);
      await waitFor('every exec event', () => runs.every((p) => c.okExec(p)));
      assert.deepEqual(c.errors, []);
    } finally {
      await src.stop();
    }
    assert.deepEqual(await listRules(), []);
    const now = await auditStatus();
    assert.equal(now.pid, foreign.child.pid, 'the running auditd still owns the audit socket');
    assert.equal(foreign.child.exitCode, null);
  } finally {
    await stopForeign(foreign.child);
  }
});

test('kernel: with an auditd that writes no log, we read its af_unix socket', async (t) => {
  if (!ready(t)) return;
  const other = await temp('bulwark-other-auditd-');
  const foreign = await startForeignAuditd(other.path, { socket: true, writeLogs: false });
  try {
    const dir = await temp('bulwark-audit-');
    // Wrong configuration: its (default) log gets nothing, so the start fails, and cleanly.
    const empty = await temp('bulwark-empty-conf-');
    await assert.rejects(
      startAuditSource({
        dir: dir.path,
        systemConfigDir: empty.path,
        startTimeoutMs: 1500,
        onEvent: () => undefined,
        onError: () => undefined,
      }),
      (e: unknown) =>
        e instanceof BulwarkError &&
        e.message.includes(`audit daemon pid ${foreign.child.pid} (auditd)`) &&
        /no audit records arrived/.test(e.message),
    );
    assert.deepEqual(await listRules(), []);
    const c = collector();
    const src = await startAuditSource({
      dir: dir.path,
      systemConfigDir: foreign.etcDir,
      onEvent: c.onEvent,
      onError: c.onError,
    });
    try {
      assert.equal(src.mode, 'attach-socket');
      const runs: number[] = [];
      for (let i = 0; i < 20; i++) runs.push((await run('/bin/true', [])).pid);
      await waitFor('every exec event', () => runs.every((p) => c.okExec(p)));
    } finally {
      await src.stop();
    }
    assert.deepEqual(await listRules(), []);
    assert.equal((await auditStatus()).pid, foreign.child.pid);
  } finally {
    await stopForeign(foreign.child);
  }
});

test('kernel: a failed start leaves nothing behind', async (t) => {
  if (!ready(t)) return;
  const dir = await temp('bulwark-audit-');
  await assert.rejects(
    startAuditSource({
      dir: dir.path,
      auditd: '/nonexistent/auditd',
      onEvent: () => undefined,
      onError: () => undefined,
      startTimeoutMs: 3000,
    }),
    (e: unknown) => e instanceof BulwarkError && /auditd/.test(e.message),
  );
  assert.deepEqual(await listRules(), []);
  const now = await auditStatus();
  assert.equal(now.enabled, initial?.enabled);
  assert.equal(now.pid, 0);
  assert.equal(now.backlogLimit, initial?.backlogLimit);
});
