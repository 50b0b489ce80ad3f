import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { have, requireAll } from '../../../test/support/require.js';
import { waitUntil } from '../../../test/support/wait.js';
import { isBulwarkError } from '../../core/errors.js';
import { FanotifyError, fanotifySupport, openExecGuard, type ExecEvent, type ExecGuard } from './index.js';

// Real kernel: a private tmpfs is mounted in a temp dir, binaries are copied onto it, and its
// mount is marked. Children are started through /bin/sh (outside the mount) with the async
// spawn: Node's spawn waits on the JS thread only until /bin/sh has exec'd, so the exec on the
// mount happens while the event loop is free to decide.

const isRoot = process.getuid?.() === 0;
const support = fanotifySupport();

function ready(t: TestContext): boolean {
  return requireAll(t, {
    linux: process.platform === 'linux',
    root: isRoot,
    mount: have('mount'),
    bash: have('bash'),
    [`fanotify (${support.reason})`]: support.ok,
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command with a clean environment; its exit code, output and wall time. */
function collect(cmd: string, args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Runs `file args` through sh -c (exec), so the marked exec is not Node's own spawn. */
function run(file: string, args: string[] = []): Promise<Run> {
  return collect('/bin/sh', ['-c', 'exec "$0" "$@"', file, ...args]);
}

/** EPOCHREALTIME ("1700000000.123456") as integer microseconds, exact. */
const micros = (t: string): number => Number(t.replace('.', ''));

/**
 * A bash loop that, n times, execs `plain` then `guarded` and times each exec; returns the
 * wall times in ms, pairwise, so both see the same machine at the same moment.
 */
async function pairedExecs(plain: string, guarded: string, n: number): Promise<{ plain: number[]; guarded: number[] }> {
  const script =
    'for ((i = 0; i < $2; i++)); do a=$EPOCHREALTIME; "$0"; b=$EPOCHREALTIME; "$1"; c=$EPOCHREALTIME; echo "$a $b $c"; done';
  const r = await runBash(script, plain, guarded, String(n));
  assert.equal(r.code, 0, r.stderr);
  const out = { plain: [] as number[], guarded: [] as number[] };
  for (const l of r.stdout.trim().split('\n')) {
    const [a, b, c] = l.split(' ').map(micros);
    out.plain.push(((b ?? 0) - (a ?? 0)) / 1000);
    out.guarded.push(((c ?? 0) - (b ?? 0)) / 1000);
  }
  return out;
}

function runBash(script: string, ...args: string[]): Promise<Run> {
  return collect('/bin/bash', ['-c', script, ...args]);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The longest a test here may take before it counts as hung (well under 60 s guard timeouts). */
const HANG_GUARD_MS = 30_000;

let dir = '';
let mnt = '';
let plainMnt = '';
const mounted: string[] = [];

function guard(
  t: TestContext,
  opts: Partial<Parameters<typeof openExecGuard>[0]> & Pick<Parameters<typeof openExecGuard>[0], 'decide'>,
): ExecGuard {
  const g = openExecGuard({ path: mnt, ...opts });
  t.after(() => g.close());
  return g;
}

describe('fanotify exec guard (real kernel, private tmpfs)', () => {
  before(() => {
    if (!(process.platform === 'linux' && isRoot && support.ok && have('mount'))) return;
    dir = mkdtempSync(join(tmpdir(), 'bulwark-fanotify-'));
    mnt = join(dir, 'mnt');
    plainMnt = join(dir, 'plain');
    for (const m of [mnt, plainMnt]) {
      mkdirSync(m);
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=755', 'bulwark-fanotify-test', m], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `mount tmpfs on ${m}: ${r.stderr}`);
      mounted.push(m);
    }
    copyFileSync('/bin/true', join(plainMnt, 'true'));
    chmodSync(join(plainMnt, 'true'), 0o755);
    copyFileSync('/bin/true', join(mnt, 'true'));
    copyFileSync('/usr/bin/echo', join(mnt, 'allowed-echo'));
    copyFileSync('/usr/bin/echo', join(mnt, 'denied-echo'));
    writeFileSync(join(mnt, 'denied-script.sh'), '#!/bin/sh\necho "script ran" > "$1"\n');
    for (const f of ['true', 'allowed-echo', 'denied-echo', 'denied-script.sh']) chmodSync(join(mnt, f), 0o755);
  });

  after(() => {
    for (const m of mounted) if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a "cache" answer lets the same unchanged file under the same name run again unasked; a change, another name or clearCache asks again', async (t) => {
    if (!ready(t)) return;
    const asked: string[] = [];
    const file = join(mnt, 'cached-echo');
    const later = join(mnt, 'async-echo');
    const link = join(mnt, 'cached-link');
    for (const f of [file, later]) {
      copyFileSync('/usr/bin/echo', f);
      chmodSync(f, 0o755);
    }
    const g = guard(t, {
      decide: (ev) => {
        asked.push(ev.path);
        return ev.path === later
          ? Promise.resolve('cache' as const)
          : ev.path === file || ev.path === link
            ? 'cache'
            : true;
      },
    });
    const times = (p: string): number => asked.filter((x) => x === p).length;
    for (let i = 0; i < 3; i++) assert.equal((await run(file, [`run${i}`])).stdout, `run${i}\n`);
    for (let i = 0; i < 3; i++) assert.equal((await run(later, ['async'])).stdout, 'async\n');
    assert.equal(times(file), 1, 'asked once, then allowed from the cache');
    assert.equal(times(later), 1, 'an answer given later caches too');
    assert.equal(g.stats().cached, 4);

    chmodSync(file, 0o700); // the inode changed (ctime)
    await run(file);
    await run(file);
    assert.equal(times(file), 2);

    linkSync(file, link); // the same inode under another name
    await run(link);
    await run(file);
    assert.equal(times(link), 1);
    assert.equal(times(file), 3, 'the cache holds one name per file: the other is asked again');

    g.clearCache();
    await run(file);
    assert.equal(times(file), 4);
    await run(join(mnt, 'true'));
    await run(join(mnt, 'true'));
    assert.equal(times(join(mnt, 'true')), 2, 'a plain true is never cached');
  });

  test('fanotifySupport says which Protect mode this machine gets', () => {
    assert.equal(typeof support.reason, 'string');
    assert.equal(support.mode, support.ok ? 'deny-before-exec' : 'kill-after-exec');
    if (!support.ok) assert.ok(support.reason.length > 0);
  });

  test('an allowed binary runs; a denied one fails with EPERM and never runs', async (t) => {
    if (!ready(t)) return;
    const seen: ExecEvent[] = [];
    const g = guard(t, {
      decide: (ev) => {
        seen.push(ev);
        return !ev.path.startsWith(join(mnt, 'denied-'));
      },
    });

    const ok = await run(join(mnt, 'allowed-echo'), ['hello-allowed']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'hello-allowed\n');
    assert.equal((await run(join(mnt, 'true'))).code, 0);

    const no = await run(join(mnt, 'denied-echo'), ['SECRET-MARKER']);
    assert.notEqual(no.code, 0);
    assert.doesNotMatch(no.stdout + no.stderr, /SECRET-MARKER/);
    assert.match(no.stderr, /Operation not permitted|Permission denied/);

    const marker = join(dir, 'script-ran');
    const script = await run(join(mnt, 'denied-script.sh'), [marker]);
    assert.notEqual(script.code, 0);
    assert.equal(existsSync(marker), false, 'the denied script must not have run');

    assert.deepEqual(
      seen.map((e) => e.path),
      ['allowed-echo', 'true', 'denied-echo', 'denied-script.sh'].map((f) => join(mnt, f)),
    );
    assert.ok(seen.every((e) => Number.isInteger(e.pid) && e.pid > 1));
    // device and inode are those of the file executed
    const files = ['allowed-echo', 'true', 'denied-echo', 'denied-script.sh'].map((f) => statSync(join(mnt, f)));
    assert.deepEqual(
      seen.map((e) => [e.dev, e.ino]),
      files.map((st) => [st.dev, st.ino]),
    );
    const s = g.stats();
    assert.equal(s.allowed, 2);
    assert.equal(s.denied, 2);
    assert.equal(s.timedOut, 0);
    assert.equal(s.pending, 0);
  });

  test('the exec error is EPERM (seen by a separate Node process)', async (t) => {
    if (!ready(t)) return;
    guard(t, { decide: (ev) => !ev.path.endsWith('/denied-echo') });
    const code = `const r = require('child_process').spawnSync(${JSON.stringify(join(mnt, 'denied-echo'))}, ['x']); console.log(r.error ? r.error.code : 'ran')`;
    const r = await runBash('exec "$0" -e "$1"', process.execPath, code);
    assert.equal(r.stdout.trim(), 'EPERM');
  });

  test('asynchronous decisions (Promise) allow and deny', async (t) => {
    if (!ready(t)) return;
    const g = guard(t, {
      decide: async (ev) => {
        await sleep(20);
        return !ev.path.endsWith('/denied-echo');
      },
    });
    const ok = await run(join(mnt, 'allowed-echo'), ['async-ok']);
    assert.equal(ok.stdout, 'async-ok\n');
    const no = await run(join(mnt, 'denied-echo'), ['ASYNC-MARKER']);
    assert.notEqual(no.code, 0);
    assert.equal(no.stdout, '');
    assert.deepEqual([g.stats().allowed, g.stats().denied], [1, 1]);
  });

  // HANG_GUARD_MS is far below the guard's own timeout (60 s): an exec answered at all within
  // it was answered by the decision path, which the stats then confirm (timedOut 0).
  test(
    'a decision that throws or rejects is allowed (not timed out) and reported',
    { timeout: HANG_GUARD_MS },
    async (t) => {
      if (!ready(t)) return;
      const reported: string[] = [];
      let calls = 0;
      const g = guard(t, {
        timeoutMs: 60_000,
        decide: () => {
          calls++;
          if (calls === 1) throw new Error('policy bug');
          return Promise.reject(new Error('policy store down'));
        },
        onError: (e, ev) => reported.push(`${(e as Error).message} ${ev.path}`),
      });
      const a = await run(join(mnt, 'denied-echo'), ['thrown']);
      assert.equal(a.stdout, 'thrown\n');
      const b = await run(join(mnt, 'denied-echo'), ['rejected']);
      assert.equal(b.stdout, 'rejected\n');
      assert.deepEqual(reported, [
        `policy bug ${join(mnt, 'denied-echo')}`,
        `policy store down ${join(mnt, 'denied-echo')}`,
      ]);
      const s = g.stats();
      assert.deepEqual([s.errors, s.allowed, s.denied, s.timedOut], [2, 2, 0, 0]);
    },
  );

  test('a decision that never comes is allowed after the timeout', { timeout: HANG_GUARD_MS }, async (t) => {
    if (!ready(t)) return;
    let pendingWhenAsked = -1;
    const g = guard(t, {
      timeoutMs: 300,
      decide: () => {
        pendingWhenAsked = g.stats().pending;
        return new Promise<boolean>(() => undefined);
      },
    });
    const r = await run(join(mnt, 'denied-echo'), ['late']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'late\n');
    assert.equal(pendingWhenAsked, 1, 'the exec was held while decide was asked');
    const s = g.stats();
    assert.deepEqual(
      [s.timedOut, s.allowed, s.allowedAtClose, s.pending],
      [1, 0, 0, 0],
      'answered by the timeout, not by a decision',
    );
  });

  test('the timeout holds even while the JS thread is blocked', async (t) => {
    if (!ready(t)) return;
    let calls = 0;
    const g = guard(t, {
      timeoutMs: 200,
      decide: () => {
        calls++;
        return false;
      },
    });
    // The child execs on the mount, then leaves a marker. The JS thread stays blocked (never
    // back in the event loop, so decide cannot run) until the marker appears: the exec was
    // answered without the JS thread.
    const marker = join(dir, 'blocked-exec-done');
    rmSync(marker, { force: true });
    const child = runBash('"$0" && : > "$1"', join(mnt, 'true'), marker);
    const blocked = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 20_000;
    while (!existsSync(marker) && Date.now() < deadline) Atomics.wait(blocked, 0, 0, 20);
    assert.ok(existsSync(marker), 'the exec on the mount finished while the JS thread was blocked');
    const r = await child;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(calls, 0, 'decide is not asked about an exec already answered');
    assert.equal(g.stats().timedOut, 1);
  });

  test('closing the guard allows the execs waiting for a decision', { timeout: HANG_GUARD_MS }, async (t) => {
    if (!ready(t)) return;
    let asked!: () => void;
    const wasAsked = new Promise<void>((r) => (asked = r));
    const g = guard(t, {
      timeoutMs: 60_000,
      decide: () => {
        asked();
        return new Promise<boolean>(() => undefined);
      },
    });
    const pending = [run(join(mnt, 'denied-echo'), ['released-1']), run(join(mnt, 'allowed-echo'), ['released-2'])];
    await wasAsked;
    await waitUntil('both execs held by the guard', () => g.stats().pending === 2, { intervalMs: 10 });
    g.close(); // the guard's own timeout is 60 s, beyond the test's hang guard
    const done = await Promise.all(pending);
    assert.deepEqual(
      done.map((r) => r.stdout),
      ['released-1\n', 'released-2\n'],
    );
    const s = g.stats();
    assert.deepEqual([s.allowedAtClose, s.pending, s.timedOut], [2, 0, 0]);
    assert.equal(g.closed, true);
    g.close(); // idempotent
  });

  test('execs outside the marked mount are not seen', async (t) => {
    if (!ready(t)) return;
    const seen: string[] = [];
    guard(t, { decide: (ev) => (seen.push(ev.path), true) });
    const outside = join(plainMnt, 'echo'); // another tmpfs mount, not marked
    copyFileSync('/usr/bin/echo', outside);
    chmodSync(outside, 0o755);
    assert.equal((await run(outside, ['outside'])).stdout, 'outside\n');
    assert.equal((await run('/usr/bin/echo', ['host'])).stdout, 'host\n');
    assert.equal((await run('/bin/true')).code, 0);
    assert.deepEqual(seen, []);
    assert.equal((await run(join(mnt, 'true'))).code, 0); // control: the mount itself is seen
    assert.deepEqual(seen, [join(mnt, 'true')]);
  });

  test('scope "filesystem" guards the whole tmpfs', async (t) => {
    if (!ready(t)) return;
    const g = guard(t, { scope: 'filesystem', decide: (ev) => !ev.path.endsWith('/denied-echo') });
    assert.equal((await run(join(mnt, 'allowed-echo'), ['fs'])).stdout, 'fs\n');
    assert.equal((await run(join(mnt, 'denied-echo'), ['FS-MARKER'])).stdout, '');
    assert.deepEqual([g.stats().allowed, g.stats().denied], [1, 1]);
  });

  test('bad options and failed marks are BulwarkErrors with the errno', (t) => {
    if (!ready(t)) return;
    assert.throws(
      () => openExecGuard({ path: mnt, timeoutMs: 0, decide: () => true }),
      (e) => isBulwarkError(e) && e.code === 'USAGE',
    );
    assert.throws(
      () => openExecGuard({ path: [], decide: () => true }),
      (e) => isBulwarkError(e) && e.code === 'USAGE',
    );
    assert.throws(
      () => openExecGuard({ path: join(mnt, 'no-such-dir'), decide: () => true }),
      (e) => e instanceof FanotifyError && e.code === 'IO' && e.errno === 'ENOENT' && e.syscall === 'fanotify_mark',
    );
  });

  test('removing the mark of a mount that is gone (a stopped container) is a no-op; adding a missing path still fails', (t) => {
    if (!ready(t)) return;
    const g = guard(t, { decide: () => true });
    const gone = join(dir, 'gone');
    mkdirSync(gone);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'bulwark-fanotify-gone', gone]).status, 0);
    g.add(gone);
    assert.equal(spawnSync('umount', [gone]).status, 0);
    rmSync(gone, { recursive: true });
    g.remove(gone);
    assert.throws(
      () => g.add(gone),
      (e) => e instanceof FanotifyError && e.errno === 'ENOENT',
    );
  });

  test('without the addon, support and open say "fanotify addon not built: <reason>"', async (t) => {
    if (!requireAll(t, { bash: have('bash') })) return;
    const url = new URL('./index.ts', import.meta.url).href;
    const code = `import { fanotifySupport, openExecGuard } from ${JSON.stringify(url)};
      let thrown = '';
      try { openExecGuard({ path: '/', decide: () => true }); } catch (e) { thrown = e.code + ' ' + e.message; }
      console.log(JSON.stringify({ support: fanotifySupport(), thrown }));`;
    const r = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, BULWARK_FANOTIFY_ADDON: join(tmpdir(), 'bulwark-no-such-addon.node') },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout, stderr, ms: 0 }));
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { support: { ok: boolean; mode: string; reason: string }; thrown: string };
    assert.equal(out.support.ok, false);
    assert.equal(out.support.mode, 'kill-after-exec');
    assert.match(out.support.reason, /^fanotify addon not built: cannot load .*bulwark-no-such-addon\.node/);
    assert.match(out.thrown, /^NOT_FOUND fanotify: fanotify addon not built: /);
  });

  // the figures are reported (bench/README.md quotes them), never asserted: timings vary with the machine
  test('200 paired execs on the allow path are all allowed by decision, none by the timeout; added latency reported', async (t) => {
    if (!ready(t)) return;
    // Same binary on two tmpfs mounts, only one marked; exec'd alternately by one bash loop.
    const plain = join(plainMnt, 'true');
    const marked = join(mnt, 'true');
    const g = guard(t, { decide: () => true });
    await pairedExecs(plain, marked, 20); // warm up
    const r = await pairedExecs(plain, marked, 200);
    assert.equal(g.stats().allowed, 220);
    assert.equal(g.stats().timedOut, 0);
    const added = r.guarded.map((x, i) => x - (r.plain[i] ?? 0));
    const f = (x: number): string => `${x.toFixed(3)}`;
    const line =
      `exec of /bin/true from tmpfs, 200 paired runs (ms): unguarded p50 ${f(percentile(r.plain, 50))} p99 ${f(percentile(r.plain, 99))}; ` +
      `guarded p50 ${f(percentile(r.guarded, 50))} p99 ${f(percentile(r.guarded, 99))}; ` +
      `added per pair p50 ${f(percentile(added, 50))} p99 ${f(percentile(added, 99))}`;
    t.diagnostic(line);
    console.log(line);
  });
});
