import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import type { Finding } from '../core/types.js';

// `.bulwarkignore`: accepted risks, each with a reason and optionally a package and an
// expiry date. An expired entry stops applying and is reported, so a waiver cannot
// outlive its review.

const Entry = z.object({
  id: z.string().min(1),
  /** Package name or purl; absent = every package. */
  package: z.string().min(1).optional(),
  reason: z.string().min(1),
  expires: z.union([z.string(), z.date()]).optional(),
});
const IgnoreFile = z.array(Entry);
export type IgnoreEntry = z.infer<typeof Entry>;

export async function readIgnoreFile(path: string): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new BulwarkError('NOT_FOUND', path, 'no such ignore file');
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new BulwarkError(
      'CORRUPT',
      path,
      `invalid YAML (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
  // a bare list, or the list under an "ignore" key
  const list =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'ignore' in raw
      ? (raw as { ignore: unknown }).ignore
      : raw;
  const r = IgnoreFile.safeParse(list ?? []);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new BulwarkError(
      'CORRUPT',
      path,
      `unexpected content${i && i.path.length ? ` at ${i.path.join('.')}` : ''}: ${i?.message ?? 'invalid'}`,
    );
  }
  for (const e of r.data)
    if (e.expires !== undefined && Number.isNaN(expiryOf(e)))
      throw new BulwarkError('CORRUPT', path, `entry ${e.id}: expires is not a date (${String(e.expires)})`);
  return r.data;
}

function expiryOf(e: IgnoreEntry): number {
  if (e.expires === undefined) return Infinity;
  const d = e.expires instanceof Date ? e.expires : new Date(e.expires);
  // a bare date expires at the end of that day (UTC)
  return typeof e.expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(e.expires)
    ? d.getTime() + 86_400_000 - 1
    : d.getTime();
}

function matchesFinding(ids: string[], pkgName: string | undefined, f: Finding): boolean {
  const fids = [f.id, ...f.aliases];
  if (!ids.some((i) => fids.includes(i))) return false;
  if (!pkgName) return true;
  return (
    pkgName === f.package.name ||
    (pkgName.startsWith('pkg:') && f.package.purl.split('?')[0]!.startsWith(pkgName.split('?')[0]!))
  );
}

/** Marks ignored findings; returns the expired entries, which no longer apply. */
export function applyIgnores(findings: Finding[], entries: IgnoreEntry[], now: Date): IgnoreEntry[] {
  const expired = entries.filter((e) => expiryOf(e) < now.getTime());
  const live = entries.filter((e) => !expired.includes(e));
  for (const f of findings) {
    const e = live.find((x) => matchesFinding([x.id], x.package, f));
    if (e && f.status !== 'not_affected') {
      f.status = 'ignored';
      f.statusReason = e.reason;
    }
  }
  return expired;
}
