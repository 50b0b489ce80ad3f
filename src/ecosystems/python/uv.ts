import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import type { PyPackage } from './package.js';
import { parseToml } from './toml.js';

// uv.lock: top-level `version`, one [[package]] per distribution with its source.
// The project itself and workspace members are local sources ({ editable = "." },
// { virtual = "." }) and are not dependencies; every other package carries a version.

const Lock = z.object({
  version: z.number().int(),
  package: z
    .array(
      z.object({
        name: z.string().min(1),
        version: z.string().min(1).optional(),
        source: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
});

export function parseUvLock(text: string): PyPackage[] {
  const lock = parseToml(text, Lock, 'uv.lock');
  const out: PyPackage[] = [];
  for (const p of lock.package ?? []) {
    if (p.source && ('editable' in p.source || 'virtual' in p.source)) continue;
    if (!p.version) throw new BulwarkError('MISSING_FIELD', 'uv.lock', `package "${p.name}" has no version`);
    out.push({ name: p.name, version: p.version });
  }
  return out;
}
