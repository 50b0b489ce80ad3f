// Which test files exist, and which must run alone.
// A test file that changes host-wide state other tests depend on (the kernel's audit
// settings, the Docker Engine's process) says so on a line of its own:
//   // bulwark-test: exclusive (why)
// run-tests.mjs runs those one at a time after every other file has finished, so the
// suite stays safe on machines with more cores (Node runs test files in parallel).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const EXCLUSIVE_MARK = /^\/\/ bulwark-test: exclusive \(.+\)$/m;

function find(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Every test file under src/ and test/ of root, sorted. */
export function testFiles(root = '.') {
  return find(join(root, 'src'), find(join(root, 'test'), [])).sort();
}

export function isExclusive(file) {
  return EXCLUSIVE_MARK.test(readFileSync(file, 'utf8'));
}
