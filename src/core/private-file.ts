import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BulwarkError } from './errors.js';

// The agent's private state (profiles, its auditd's files) and its secrets: a directory and
// files nobody else can swap or write. The directory must be a real directory (no symlink),
// owned by root or us, writable by no one else; files are read without following links and
// written whole (a temp name created exclusively, synced, renamed over the old one), so a
// crash leaves the old file or the new one and a planted link is never written through.

const uid = (): number => process.getuid?.() ?? 0;

function ownedSafely(st: Stats): string | undefined {
  if (st.uid !== 0 && st.uid !== uid()) return `owned by uid ${st.uid}, not root or this user`;
  return undefined;
}

/** Makes sure `dir` exists (created 0700) and is safe to keep state in; throws UNSAFE_PATH otherwise. */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new BulwarkError('IO', dir, `cannot create the state directory (${(e as NodeJS.ErrnoException).code})`);
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new BulwarkError('UNSAFE_PATH', dir, 'the state directory is a symbolic link');
  if (!st.isDirectory()) throw new BulwarkError('UNSAFE_PATH', dir, 'the state directory is not a directory');
  if (st.mode & 0o022)
    throw new BulwarkError(
      'UNSAFE_PATH',
      dir,
      `the state directory is writable by others (mode ${(st.mode & 0o777).toString(8)})`,
    );
  const owner = ownedSafely(st);
  if (owner) throw new BulwarkError('UNSAFE_PATH', dir, `the state directory is ${owner}`);
}

const MAX_STATE_BYTES = 64 << 20;

/**
 * Reads a file without following a link at its name; undefined when there is none.
 * `secret`: it must also be unreadable by group and others (it holds credentials).
 */
export function readPrivateFile(file: string, o: { secret?: boolean } = {}): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new BulwarkError('UNSAFE_PATH', file, 'is a symbolic link');
    throw new BulwarkError('IO', file, `cannot open (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BulwarkError('UNSAFE_PATH', file, 'is not a regular file');
    if (o.secret && st.mode & 0o066)
      throw new BulwarkError(
        'UNSAFE_PATH',
        file,
        `holds secrets but group or others may read or write it (mode ${(st.mode & 0o777).toString(8)}; chmod 600)`,
      );
    const owner = ownedSafely(st);
    if (o.secret && owner) throw new BulwarkError('UNSAFE_PATH', file, owner);
    if (st.size > MAX_STATE_BYTES) throw new BulwarkError('TOO_LARGE', file, `larger than ${MAX_STATE_BYTES} bytes`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Replaces `file` with `text` (mode 0600) atomically: exclusive temp file beside it, fsync, rename. */
export function writePrivateFile(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const data = Buffer.from(text);
    for (let n = 0; n < data.length;) n += writeSync(fd, data, n, data.length - n);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}
