// Tests only: a real executable carrying cargo-auditable data. Debian's cargo has no
// cargo-auditable, so the section is added as the format describes it: a tiny program built
// with rustc (or cc), and `objcopy --add-section .dep-v0=<zlib-compressed JSON>`.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { have } from '../../testing/require.js';

export const DEP_V0_JSON = join(import.meta.dirname, 'fixtures', 'dep-v0.json');

export const canBuild = (): Record<string, boolean> => ({ 'rustc or cc': have('rustc') || have('cc'), 'objcopy (Debian binutils)': have('objcopy') });

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Builds work/plain (no audit data) and work/audited (with the fixture's .dep-v0); returns both paths. */
export async function buildAudited(work: string, json?: Buffer): Promise<{ plain: string; audited: string; pe: string }> {
  const plain = join(work, 'plain');
  if (have('rustc')) {
    await writeFile(join(work, 'main.rs'), 'fn main() { println!("demo"); }\n');
    run('rustc', ['-O', '-o', plain, join(work, 'main.rs')]);
  } else {
    await writeFile(join(work, 'main.c'), '#include <stdio.h>\nint main(void) { puts("demo"); return 0; }\n');
    run('cc', ['-O2', '-o', plain, join(work, 'main.c')]);
  }
  const section = join(work, 'dep-v0.zlib');
  await writeFile(section, deflateSync(json ?? (await readFile(DEP_V0_JSON)), { level: 9 }));
  const audited = join(work, 'audited');
  run('objcopy', ['--add-section', `.dep-v0=${section}`, '--set-section-flags', '.dep-v0=readonly,data', plain, audited]);
  // the same program rewritten as PE32+ by BFD (not runnable on Windows; its headers are real)
  const pe = join(work, 'audited.exe');
  spawnSync('objcopy', ['-O', 'pei-x86-64', audited, pe]);
  return { plain, audited, pe };
}
