import { BulwarkError } from '../core/errors.js';

/**
 * Normalises a path found inside an archive to a relative path without "./",
 * refusing absolute paths and any ".." segment: nothing in an image may name
 * a place outside the image root.
 */
export function normaliseEntryPath(name: string, input: string): string {
  if (name.startsWith('/'))
    throw new BulwarkError('UNSAFE_PATH', input, `absolute path in archive: ${printable(name)}`);
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new BulwarkError('UNSAFE_PATH', input, `path escapes the archive root: ${printable(name)}`);
    parts.push(seg);
  }
  return parts.join('/');
}

/** Parent directories of a relative path, shortest first ("a/b/c" → "a", "a/b"). */
export function parentsOf(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('/');
  while (i !== -1) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

/** Keeps error lines on one line and readable whatever bytes a hostile name holds. */
export function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
