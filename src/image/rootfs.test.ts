import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { scanFs, scanRootfs } from '../scan/scan.js';
import { MAX_DEPTH } from './rootfs.js';

// The marker lives only outside the scanned root: any output holding it read a host file.

/** node_modules/p<i>/package.json for `count` packages named `name`-i, under `dir`. */
function packages(dir: string, name: string, count: number): void {
  for (let i = 0; i < count; i++) {
    mkdirSync(join(dir, 'node_modules', `p${i}`), { recursive: true });
    writeFileSync(
      join(dir, 'node_modules', `p${i}`, 'package.json'),
      JSON.stringify({ name: `${name}-${i}`, version: '1.0.0' }),
    );
  }
}

/** Renames `a`, then `b`, in and out of `at`, until the deadline: `at` is a directory, a symlink or absent. */
const SWAPPER = `
const { renameSync } = require('node:fs');
const [at, a, b, until] = process.argv.slice(1);
const flip = (x) => { try { renameSync(x, at); renameSync(at, x); } catch {} };
while (Date.now() < Number(until)) { flip(a); flip(b); }
`;

test('a symlink to a host file or directory is never followed', async () => {
  const tmp = await makeTempDir('walker-rootfs-');
  try {
    const marker = `walker-marker-${randomBytes(6).toString('hex')}`;
    const host = join(tmp.path, 'host');
    packages(host, marker, 1);
    const root = join(tmp.path, 'root');
    packages(root, 'benign', 1);
    mkdirSync(join(root, 'node_modules', 'q'));
    symlinkSync(join(host, 'node_modules', 'p0', 'package.json'), join(root, 'node_modules', 'q', 'package.json'));
    symlinkSync(host, join(root, 'hostdir'));
    symlinkSync(join(host, 'node_modules'), join(root, 'node_modules', 'more'));
    for (const scan of [scanRootfs, scanFs]) {
      const out = JSON.stringify(await scan(root, 'x', { checks: { secrets: true, misconfig: true } }));
      assert.ok(out.includes('benign-0'));
      assert.ok(!out.includes(marker), out);
    }
  } finally {
    await tmp.remove();
  }
});

test('50 scans while a directory and a symlink to the host are rename-swapped under them read nothing outside the root', async () => {
  const tmp = await makeTempDir('walker-rootfs-');
  const deadline = Date.now() + 120_000;
  try {
    const marker = `walker-marker-${randomBytes(6).toString('hex')}`;
    const host = join(tmp.path, 'host');
    packages(host, marker, 60);
    writeFileSync(join(host, 'package.json'), JSON.stringify({ name: `${marker}-file`, version: '1.0.0' }));
    const root = join(tmp.path, 'root');
    packages(join(root, 'swap.dir'), 'benign', 60);
    symlinkSync(host, join(root, 'swap.link'));
    // and a file swapped with a symlink to a host file
    mkdirSync(join(root, 'node_modules', 'f'), { recursive: true });
    writeFileSync(
      join(root, 'node_modules', 'f', 'package.json.file'),
      JSON.stringify({ name: 'benign-file', version: '1.0.0' }),
    );
    symlinkSync(join(host, 'package.json'), join(root, 'node_modules', 'f', 'package.json.link'));
    const swappers = [
      spawn(
        process.execPath,
        ['-e', SWAPPER, join(root, 'swap'), join(root, 'swap.dir'), join(root, 'swap.link'), String(deadline)],
        { stdio: 'ignore' },
      ),
      spawn(
        process.execPath,
        [
          '-e',
          SWAPPER,
          join(root, 'node_modules', 'f', 'package.json'),
          ...['file', 'link'].map((s) => join(root, 'node_modules', 'f', `package.json.${s}`)),
          String(deadline),
        ],
        { stdio: 'ignore' },
      ),
    ];
    try {
      let sawDir = 0;
      for (let i = 0; i < 50; i++) {
        const out = JSON.stringify(await (i % 2 ? scanFs : scanRootfs)(root, 'x'));
        assert.ok(!out.includes(marker), `scan ${i} read outside the root`);
        if (out.includes('benign-')) sawDir++;
      }
      // the swaps were really under way while the scans walked the swapped names
      assert.ok(sawDir > 0);
      assert.ok(swappers.every((s) => s.exitCode === null));
    } finally {
      for (const s of swappers) s.kill();
      await Promise.all(
        swappers.map((s) =>
          s.exitCode === null && s.signalCode === null ? new Promise((r) => s.once('exit', r)) : undefined,
        ),
      );
    }
  } finally {
    await tmp.remove();
  }
  assert.ok(!existsSync(tmp.path));
});

test('a tree deeper than the walk holds directories open for is reported where it stops, not followed down', async () => {
  const tmp = await makeTempDir('walker-rootfs-');
  try {
    const deep = join(tmp.path, ...Array.from({ length: MAX_DEPTH + 2 }, () => 'd'));
    packages(deep, 'too-deep', 1);
    packages(tmp.path, 'shallow', 1);
    const { inventory } = await scanRootfs(tmp.path, 'x');
    assert.deepEqual(
      inventory.packages.map((p) => p.name),
      ['shallow-0'],
    );
    const at = `/${Array.from({ length: MAX_DEPTH + 1 }, () => 'd').join('/')}`;
    assert.deepEqual(
      inventory.issues.map((i) => [i.analyzer, i.path]),
      [['walker', at]],
    );
  } finally {
    await tmp.remove();
  }
});
