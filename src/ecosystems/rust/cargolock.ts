import { parse } from 'smol-toml';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../../core/errors.js';

// Cargo.lock: TOML with one [[package]] table per resolved crate (name, version, and for
// anything not in the workspace a source such as "registry+https://…" or "git+https://…#sha").
// Format versions 1–4 share that shape; v1 kept checksums in a [metadata] table instead.

const LockPackage = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: z.string().optional(),
  checksum: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
});
const CargoLock = z.looseObject({
  version: z.number().int().optional(),
  package: z.array(LockPackage).optional(),
});

export interface LockedCrate {
  name: string;
  version: string;
  /** Absent for workspace members and path dependencies. */
  source?: string;
}

export interface CargoLockFile {
  version?: number;
  packages: LockedCrate[];
}

export function parseCargoLock(text: string): CargoLockFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new BulwarkError('CORRUPT', 'Cargo.lock', `invalid TOML (${messageOf(e).split('\n')[0]})`, { cause: e });
  }
  const r = CargoLock.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new BulwarkError(
      'CORRUPT',
      'Cargo.lock',
      `unexpected content${i && i.path.length > 0 ? ` at ${i.path.join('.')}` : ''}: ${i?.message ?? 'invalid'}`,
    );
  }
  const packages = (r.data.package ?? []).map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.source ? { source: p.source } : {}),
  }));
  return { ...(r.data.version !== undefined ? { version: r.data.version } : {}), packages };
}
