import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import type { PyPackage } from './package.js';
import { parseToml } from './toml.js';

// poetry.lock: one [[package]] table per locked distribution and a [metadata] table.
// Lock format 1.x marks development packages with category = "dev"; 2.1 lists the
// dependency groups a package is locked for, "main" being the runtime one.

const Lock = z.object({
  package: z
    .array(
      z.object({
        name: z.string().min(1),
        version: z.string().min(1),
        category: z.string().optional(),
        groups: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export function parsePoetryLock(text: string): PyPackage[] {
  const lock = parseToml(text, Lock, 'poetry.lock');
  if (!lock.package && !lock.metadata)
    throw new BulwarkError('CORRUPT', 'poetry.lock', 'neither [[package]] nor [metadata]');
  return (lock.package ?? []).map((p) => {
    const dev = p.category === 'dev' || (p.groups !== undefined && !p.groups.includes('main'));
    return { name: p.name, version: p.version, ...(dev ? { dev } : {}) };
  });
}
