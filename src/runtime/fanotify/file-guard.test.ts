import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { have, requireAll } from '../../../test/support/require.js';
import { fanotifySupport } from './index.js';
import { openFileGuard, type OpenEvent } from './file-guard.js';
import { openAccessOf, type OpenAccess } from './open-access.js';

// Real kernel: a private tmpfs, a FAN_OPEN_PERM mark on it and a protected prefix below it.
// The decision reads the held thread's /proc/<tid>/syscall, so these tests are the oracle for
// the flag decoding on a live opener: the shell's ">" must read as a write and "cat" as a read.

const support = fanotifySupport();
let dir = '';
let mnt = '';

function ready(t: TestContext): boolean {
  return requireAll(t, {
    linux: process.platform === 'linux',
    root: process.getuid?.() === 0,
    mount: have('mount'),
    [`fanotify (${support.reason})`]: support.ok,
  });
}

function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fanotify file guard (real kernel, private tmpfs)', () => {
  before(() => {
    if (!(process.platform === 'linux' && process.getuid?.() === 0 && support.ok && have('mount'))) return;
    dir = mkdtempSync(join(tmpdir(), 'fileprofiles-guard-'));
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'fileprofiles-test', mnt], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    mkdirSync(join(mnt, 'prot'));
    mkdirSync(join(mnt, 'free'));
    writeFileSync(join(mnt, 'prot', 'f'), 'original\n');
  });
  after(() => {
    if (mnt) spawnSync('umount', [mnt]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a write open below the prefix is refused before a byte is written; reads and other paths pass', async (t) => {
    if (!ready(t)) return;
    const seen: { ev: OpenEvent; access: OpenAccess }[] = [];
    const guard = openFileGuard({
      path: mnt,
      prefixes: [join(mnt, 'prot')],
      decide: (ev) => {
        const access = openAccessOf(ev.tid);
        seen.push({ ev, access });
        return access === 'read';
      },
    });
    t.after(() => guard.close());
    const write = await sh(`echo evil > ${mnt}/prot/f`);
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /Operation not permitted/);
    assert.equal(readFileSync(join(mnt, 'prot', 'f'), 'utf8'), 'original\n', 'no byte written');
    const append = await sh(`echo evil >> ${mnt}/prot/f`);
    assert.notEqual(append.code, 0);
    const read = await sh(`cat ${mnt}/prot/f`);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, 'original\n');
    const free = await sh(`echo ok > ${mnt}/free/x && cat ${mnt}/free/x`);
    assert.equal(free.stdout, 'ok\n');
    // the protected file's opens were decided, as write, write, read; the free path's never
    const decided = seen.filter((s) => s.ev.path === join(mnt, 'prot', 'f')).map((s) => s.access);
    assert.deepEqual(decided, ['write', 'write', 'read']);
    assert.ok(!seen.some((s) => s.ev.path.startsWith(join(mnt, 'free'))));
    const stats = guard.stats();
    assert.equal(stats.denied, 2);
    assert.ok(stats.filtered >= 2, `filtered ${stats.filtered}`);
  });

  test('this process opens guarded files without waiting on itself', async (t) => {
    if (!ready(t)) return;
    let asked = 0;
    const guard = openFileGuard({ path: mnt, prefixes: [join(mnt, 'prot')], decide: () => (asked++, false) });
    t.after(() => guard.close());
    assert.equal(readFileSync(join(mnt, 'prot', 'f'), 'utf8'), 'original\n');
    assert.equal(asked, 0);
  });

  test('an allowed read answered "cache" is not asked again for the same program; writes, other programs and a cleared cache are', async (t) => {
    if (!ready(t)) return;
    const asked: { exe: string; access: OpenAccess }[] = [];
    const guard = openFileGuard({
      path: mnt,
      prefixes: [join(mnt, 'prot')],
      decide: (ev) => {
        const access = openAccessOf(ev.tid);
        let exe = '';
        try {
          exe = readlinkSync(`/proc/${ev.tid}/exe`);
        } catch {
          // gone
        }
        asked.push({ exe, access });
        return access === 'read' ? 'cache' : false;
      },
    });
    t.after(() => guard.close());
    const f = `${mnt}/prot/f`;
    for (let i = 0; i < 3; i++) assert.equal((await sh(`cat ${f}`)).stdout, 'original\n');
    assert.deepEqual(
      asked.map((a) => a.access),
      ['read'],
      'the reads by cat after the first come from the cache',
    );
    // the same program writing: asked (and refused), however many reads it had cached
    const write = await sh(`cat /dev/null > ${f}; dd if=/dev/zero of=${f} bs=1 count=1 conv=notrunc 2>&1`);
    assert.match(write.stdout + write.stderr, /Operation not permitted/);
    assert.equal(readFileSync(join(mnt, 'prot', 'f'), 'utf8'), 'original\n', 'no byte written');
    assert.ok(asked.some((a) => a.access === 'write'));
    // another program reading the same file: asked once
    const before = asked.length;
    await sh(`head -c 100 ${f}`);
    await sh(`head -c 100 ${f}`);
    assert.equal(asked.length, before + 1);
    assert.match(asked.at(-1)!.exe, /head$/);
    // cleared (a profile changed): asked again
    guard.clearCache();
    await sh(`cat ${f}`);
    assert.equal(asked.length, before + 2);
    await sh(`cat ${f}`);
    assert.equal(asked.length, before + 2, 'cached again');
    // a second name (a hard link) or a new one (rename) changes the inode's ctime: asked again,
    // under the name it has now
    linkSync(f, `${mnt}/prot/g`);
    await sh(`cat ${mnt}/prot/g`);
    assert.equal(asked.length, before + 3);
    renameSync(`${mnt}/prot/g`, `${mnt}/prot/h`);
    await sh(`cat ${mnt}/prot/h`);
    assert.equal(asked.length, before + 4);
    unlinkSync(`${mnt}/prot/h`);
    assert.ok(guard.stats().cached >= 3, JSON.stringify(guard.stats()));
  });
});
