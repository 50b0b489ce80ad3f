import { lstatSync } from 'node:fs';
import { posix } from 'node:path';
import type { ContainerInfo } from '../containers.js';

// Drift: a program the image never had — written or changed inside the running container —
// is executed. With overlay2 every file created or modified in a container lives in its
// upper directory, so "is the executable in the upper dir" is the whole test (a copy-up
// from chmod or an edit counts: the file is no longer the image's).

/** The path inside the container, from a host path under its merged dir (fanotify) or as given (audit). */
export function containerPath(c: Pick<ContainerInfo, 'mergedDir'>, path: string): string | undefined {
  if (c.mergedDir && (path === c.mergedDir || path.startsWith(`${c.mergedDir}/`)))
    return path.slice(c.mergedDir.length) || '/';
  return path.startsWith('/') ? path : undefined;
}

/** True when the executable at `exe` (a path inside the container) was written in the container. */
export async function isDrift(c: Pick<ContainerInfo, 'upperDir'>, exe: string): Promise<boolean> {
  if (!c.upperDir || !exe.startsWith('/')) return false;
  const inside = posix.normalize(exe);
  if (inside.split('/').includes('..')) return false;
  // a local metadata lookup: synchronous costs less than a thread-pool round trip per exec
  return lstatSync(posix.join(c.upperDir, inside), { throwIfNoEntry: false })?.isFile() ?? false;
}
