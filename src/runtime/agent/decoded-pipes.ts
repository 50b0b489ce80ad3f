import { SHELL_NAMES } from '../shells.js';

// "A payload decoded into a shell" (echo … | base64 -d | sh): the two ends of the pipe are
// siblings, forked by the same shell within moments of each other, and both gone again
// before /proc could show their pipes. So the agent pairs them by parent: a decoder and a
// shell that reads its commands from stdin, started by the same process within WINDOW_MS,
// in either order. Bounded: one entry per parent, the oldest dropped beyond MAX_PARENTS.

const WINDOW_MS = 2000;
const MAX_PARENTS = 4096;

const DECODER_FLAGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['base64', ['-d', '--decode', '-D']],
  ['base32', ['-d', '--decode']],
  ['basenc', ['-d', '--decode']],
  ['xxd', ['-r', '-revert']],
  ['uudecode', []],
  ['openssl', ['-d', '-base64', 'base64']],
]);

/** A program that turns encoded text back into bytes, as it was called. */
export function isDecoder(name: string, argv: readonly string[]): boolean {
  const flags = DECODER_FLAGS.get(name);
  if (!flags) return false;
  if (flags.length === 0) return true;
  const args = argv.slice(1);
  if (name === 'openssl')
    return args.includes('-d') && (args.includes('base64') || args.includes('-base64') || args.includes('-a'));
  return args.some(
    (a) => flags.includes(a) || (/^-[a-zA-Z]+$/.test(a) && flags.some((f) => f.length === 2 && a.includes(f[1]!))),
  );
}

/** A shell that runs what it reads on stdin: no -c, no script operand (`sh`, `sh -s`, `bash -`). */
export function readsStdin(name: string, argv: readonly string[]): boolean {
  if (!SHELL_NAMES.has(name)) return false;
  for (const a of argv.slice(1)) {
    if (a === '-' || a === '-s') return true;
    if (!a.startsWith('-') || a === '-c' || /^-[a-zA-Z]*c/.test(a)) return false;
  }
  return true;
}

interface Seen {
  decoder?: number;
  shell?: number;
}

export class DecodedPipes {
  private readonly byParent = new Map<string, Seen>();

  /** Notes an exec; true when it completes a decoder → shell pair with a sibling. */
  observe(containerId: string, ppid: number, name: string, argv: readonly string[], now: number): boolean {
    const role = isDecoder(name, argv) ? 'decoder' : readsStdin(name, argv) ? 'shell' : undefined;
    if (!role) return false;
    const key = `${containerId}/${ppid}`;
    const seen = this.byParent.get(key) ?? {};
    const other = seen[role === 'decoder' ? 'shell' : 'decoder'];
    const paired = other !== undefined && now - other <= WINDOW_MS;
    seen[role] = now;
    if (paired) delete seen[role === 'decoder' ? 'shell' : 'decoder'];
    this.byParent.delete(key); // re-inserted last: the map's order is the eviction order
    this.byParent.set(key, seen);
    if (this.byParent.size > MAX_PARENTS) this.byParent.delete(this.byParent.keys().next().value!);
    return paired;
  }
}
