import { lstat, opendir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import type { FileConsumer, Limits } from './layer-walker.js';

// A root filesystem directory, walked without following symlinks, so that nothing
// outside the directory is read whatever links it contains.

export async function walkRootfs(root: string, consumer: FileConsumer, limits: Limits): Promise<void> {
  let st;
  try {
    st = await lstat(root);
  } catch {
    throw new BulwarkError('NOT_FOUND', root, 'no such directory');
  }
  if (!st.isDirectory()) throw new BulwarkError('UNKNOWN_FORMAT', root, 'not a directory');
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const dir = await opendir(join(root, rel));
    for await (const d of dir) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) stack.push(path);
      else if (d.isFile()) {
        const full = join(root, path);
        const st = await lstat(full);
        const info = { size: st.size, mode: st.mode & 0o7777 };
        if (!consumer.wants(path, info)) continue;
        if (st.size > limits.maxFileBytes) consumer.onTooLarge(path, info);
        else consumer.onFile(path, await readFile(full), info);
      }
    }
  }
}
