import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';

// pnpm 9 lockfiles drop the per-package "dev" flag. A package is dev-only when the
// importers' devDependencies reach it through "snapshots" and their dependencies and
// optionalDependencies do not.

const Refs = z.record(z.string(), z.string()).optional();
const ImporterDeps = z.record(z.string(), z.object({ version: z.string() })).optional();
const Importers = z.record(
  z.string(),
  z.object({ dependencies: ImporterDeps, devDependencies: ImporterDeps, optionalDependencies: ImporterDeps }),
);
const Snapshots = z.record(z.string(), z.object({ dependencies: Refs, optionalDependencies: Refs }).nullable());

type Snaps = z.infer<typeof Snapshots>;

/** The snapshot a dependency reference points at: "1.2.3(peer@1)" under its own name, or an alias's "name@1.2.3". */
function target(snaps: Snaps, name: string, ref: string): string | undefined {
  if (ref.startsWith('link:')) return undefined;
  if (Object.hasOwn(snaps, `${name}@${ref}`)) return `${name}@${ref}`;
  return Object.hasOwn(snaps, ref) ? ref : undefined;
}

function reach(snaps: Snaps, roots: [string, string][]): Set<string> {
  const seen = new Set<string>();
  const todo = roots.map(([n, r]) => target(snaps, n, r)).filter((k): k is string => k !== undefined);
  while (todo.length > 0) {
    const k = todo.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    const s = snaps[k];
    for (const [n, r] of Object.entries({ ...s?.dependencies, ...s?.optionalDependencies })) {
      const t = target(snaps, n, r);
      if (t !== undefined && !seen.has(t)) todo.push(t);
    }
  }
  // a snapshot key is its package key with the peers appended
  return new Set([...seen].map((k) => k.replace(/\(.*$/, '')));
}

/** Package keys (of "packages") only development dependencies need. */
export function devOnly(lock: { importers?: unknown; snapshots?: unknown }, where: string): Set<string> {
  const imp = Importers.safeParse(lock.importers ?? {});
  const snaps = Snapshots.safeParse(lock.snapshots ?? {});
  if (!imp.success || !snaps.success) throw new BulwarkError('CORRUPT', where, 'malformed importers or snapshots');
  const roots = (pick: 'dependencies' | 'devDependencies' | 'optionalDependencies'): [string, string][] =>
    Object.values(imp.data).flatMap((i) =>
      Object.entries(i[pick] ?? {}).map(([n, d]): [string, string] => [n, d.version]),
    );
  const prod = reach(snaps.data, [...roots('dependencies'), ...roots('optionalDependencies')]);
  const dev = reach(snaps.data, roots('devDependencies'));
  return new Set([...dev].filter((k) => !prod.has(k)));
}
