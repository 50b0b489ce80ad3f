import { BulwarkError } from '../../core/errors.js';
/** One package as a package.json or a lockfile records it; plain JSON, so it can be cached per layer. */
export interface NpmEntry {
  name: string;
  version: string;
  licenses: string[];
  /** Only a development dependency, where the lockfile says so. */
  dev?: boolean;
}

/** Lockfiles may list one name@version at several install locations: the inventory needs it once. */
export function dedupe(entries: NpmEntry[]): NpmEntry[] {
  const seen = new Map<string, NpmEntry>();
  for (const e of entries) {
    const k = `${e.name}@${e.version}`;
    const prev = seen.get(k);
    if (!prev) seen.set(k, { ...e });
    // dev only when every occurrence is dev
    else if (prev.dev && !e.dev) delete prev.dev;
  }
  return [...seen.values()];
}

/** npm's rule for a package name: lower-case letters, digits, "-._~", an optional "@scope/". */
const NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;

export function checkName(name: string, where: string): string {
  if (!NAME.test(name)) throw new BulwarkError('CORRUPT', where, `"${name}" is not an npm package name`);
  return name;
}

/** "name@rest" → [name, rest], where a scoped name's own "@" is not the separator. */
export function splitSpec(spec: string, where: string): [string, string] {
  const at = spec.indexOf('@', 1);
  if (at < 0) throw new BulwarkError('CORRUPT', where, `"${spec}" is not name@version`);
  return [spec.slice(0, at), spec.slice(at + 1)];
}
