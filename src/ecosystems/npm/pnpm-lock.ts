import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { checkName, dedupe, splitSpec, type NpmEntry } from './entry.js';
import { devOnly } from './pnpm-dev.js';

// pnpm-lock.yaml. The "packages" keys changed with the lockfile version:
//   5.x  /name/1.2.3_peer@4.5.6     /@scope/name/1.2.3
//   6.x  /name@1.2.3(peer@4.5.6)    /@scope/name@1.2.3
//   9.x  name@1.2.3                 (peers only in "snapshots" keys)
// Packages not from a registry (git, tarballs) carry their own name and version fields.

const Pkg = z.object({
  name: z.string().optional(),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  dev: z.boolean().optional(),
});

const Lock = z.object({
  lockfileVersion: z.union([z.string(), z.number()]).transform(String),
  packages: z.record(z.string(), Pkg.nullable()).optional(),
  importers: z.unknown().optional(),
  snapshots: z.unknown().optional(),
});

const LOCAL = /^(?:file|link):/;
// a local folder: "file:packages/x" before 9.x, "x@file:packages/x" since
const LOCAL_KEY = /(?:^|@)(?:file|link):/;

/** Drops the peer-dependency suffix: "(react@18.2.0)" since 6.x, "_react@18.2.0" before. */
function stripPeers(version: string): string {
  return version.replace(/[(_].*$/, '');
}

/** [name, version] from a packages key, by the key format of the lockfile's major version. */
export function keyToSpec(key: string, major: number, where: string): [string, string] {
  const k = key.startsWith('/') ? key.slice(1) : key;
  if (major >= 6) {
    const [name, version] = splitSpec(k, where);
    return [name, LOCAL.test(version) ? version : stripPeers(version)];
  }
  const parts = k.split('/');
  const scoped = k.startsWith('@');
  const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0]!;
  const version = parts[scoped ? 2 : 1];
  if (!key.startsWith('/') || version === undefined || parts.length !== (scoped ? 3 : 2))
    throw new BulwarkError('CORRUPT', where, `cannot read package key "${key}"`);
  return [name, stripPeers(version)];
}

export function parsePnpmLock(path: string, content: Buffer): NpmEntry[] {
  let raw: unknown;
  try {
    raw = parseYaml(content.toString('utf8'), { maxAliasCount: 100 });
  } catch (e) {
    throw new BulwarkError('CORRUPT', path, messageOf(e).split('\n')[0]!, { cause: e });
  }
  const r = Lock.safeParse(raw);
  if (!r.success)
    throw new BulwarkError('UNKNOWN_FORMAT', path, `not a pnpm lockfile (${r.error.issues[0]?.message ?? 'invalid'})`);
  const lock = r.data;
  const major = Number.parseInt(lock.lockfileVersion, 10);
  if (!Number.isFinite(major))
    throw new BulwarkError('UNSUPPORTED', path, `unknown lockfileVersion "${lock.lockfileVersion}"`);
  // 9.x no longer marks dev packages: they are the ones only the importers' devDependencies reach
  const dev9 = major >= 9 ? devOnly(lock, path) : undefined;
  const out: NpmEntry[] = [];
  for (const [key, p] of Object.entries(lock.packages ?? {})) {
    const [name, version] = p?.name && p.version ? [p.name, p.version] : keyToSpec(key, major, path);
    if (LOCAL.test(version) || LOCAL_KEY.test(key)) continue;
    const dev = dev9 ? dev9.has(key) : p?.dev === true;
    out.push({
      name: checkName(name, path),
      version: p?.version ?? version,
      licenses: [],
      ...(dev ? { dev: true } : {}),
    });
  }
  return dedupe(out);
}
