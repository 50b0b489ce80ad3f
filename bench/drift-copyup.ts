// Cost of telling a metadata-only copy-up from drift (src/runtime/detectors/image-copy.ts):
// layers in a temporary directory, N programs copied up with the image's bytes (as chown -R
// leaves them); first look (size, SHA-256 of both sides), the same again (cache), and a
// second container of the same image (the image file's digest cached, only its copy hashed).
// Usage: node --import tsx bench/drift-copyup.ts [programs=200] [MiB each=2]
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImageCopies } from '../src/runtime/detectors/image-copy.js';

const n = Number(process.argv[2] ?? 200);
const mib = Number(process.argv[3] ?? 2);
const root = mkdtempSync(join(tmpdir(), 'bench-copyup-'));
try {
  const lower = join(root, 'lower');
  const uppers = [join(root, 'upper1'), join(root, 'upper2')];
  for (const d of [lower, ...uppers]) mkdirSync(join(d, 'bin'), { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(lower, 'bin', `p${i}`), randomBytes(mib * 1024 * 1024));
    for (const u of uppers) copyFileSync(join(lower, 'bin', `p${i}`), join(u, 'bin', `p${i}`));
  }
  const copies = new ImageCopies();
  const pass = async (upper: string): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      if (!(await copies.sameAsImage(join(upper, 'bin', `p${i}`), [lower], `/bin/p${i}`, upper)))
        throw new Error('differs');
    return (performance.now() - t0) / n;
  };
  const first = await pass(uppers[0]!);
  const cached = await pass(uppers[0]!);
  const second = await pass(uppers[1]!);
  console.log(`${n} programs of ${mib} MiB (page cache warm), per exec judged:`);
  console.log(`  first look (hash both):            ${first.toFixed(3)} ms`);
  console.log(`  again (cache):                     ${(cached * 1000).toFixed(1)} µs`);
  console.log(`  another container of the image:    ${second.toFixed(3)} ms (image digest cached)`);
  console.log(`  hashed ${copies.stats.hashed} files, ${(copies.stats.bytesHashed / 2 ** 20).toFixed(0)} MiB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
