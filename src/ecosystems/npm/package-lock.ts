import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import { checkName, dedupe, splitSpec, type NpmEntry } from './entry.js';
import { npmLicences } from './licences.js';

// package-lock.json and npm-shrinkwrap.json. Version 1 nests a "dependencies" tree;
// versions 2 and 3 key a flat "packages" map by install path ("node_modules/a/node_modules/b"),
// and version 2 carries both: the map is the authoritative one.

interface V1Dep {
  version?: string | undefined;
  dev?: boolean | undefined;
  dependencies?: Record<string, V1Dep> | undefined;
}

const V1Dep: z.ZodType<V1Dep> = z.lazy(() =>
  z.object({
    version: z.string().optional(),
    dev: z.boolean().optional(),
    dependencies: z.record(z.string(), V1Dep).optional(),
  }),
);

const Entry = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  link: z.boolean().optional(),
  dev: z.boolean().optional(),
  license: z.unknown().optional(),
  licenses: z.unknown().optional(),
});

const Lock = z.object({
  lockfileVersion: z.number().int(),
  packages: z.record(z.string(), Entry).optional(),
  dependencies: z.record(z.string(), V1Dep).optional(),
});

const LOCAL = /^(?:file|link):/;
const NM = 'node_modules/';

function fromV1(path: string, deps: Record<string, V1Dep>, out: NpmEntry[]): void {
  for (const [key, d] of Object.entries(deps)) {
    if (d.version === undefined) throw new BulwarkError('MISSING_FIELD', path, `dependency "${key}" has no version`);
    let name = key;
    let version = d.version;
    // an alias ("debug4": "npm:debug@4.4.0") installs another package under its own name
    if (version.startsWith('npm:')) [name, version] = splitSpec(version.slice(4), path);
    if (!LOCAL.test(version))
      out.push({ name: checkName(name, path), version, licenses: [], ...(d.dev ? { dev: true } : {}) });
    if (d.dependencies) fromV1(path, d.dependencies, out);
  }
}

function fromPackages(path: string, packages: Record<string, z.infer<typeof Entry>>): NpmEntry[] {
  const out: NpmEntry[] = [];
  for (const [key, e] of Object.entries(packages)) {
    // "" is the project itself, a key without node_modules/ a workspace member's folder,
    // and a link points at one of those: none is a dependency
    const at = key.lastIndexOf(NM);
    if (at < 0 || e.link) continue;
    const name = e.name ?? key.slice(at + NM.length);
    if (e.version === undefined) throw new BulwarkError('MISSING_FIELD', path, `"${key}" has no version`);
    out.push({
      name: checkName(name, path),
      version: e.version,
      licenses: npmLicences(e.license, e.licenses),
      ...(e.dev ? { dev: true } : {}),
    });
  }
  return out;
}

export function parsePackageLock(path: string, content: Buffer): NpmEntry[] {
  const lock = parseJson(content, Lock, path);
  if (lock.packages) return dedupe(fromPackages(path, lock.packages));
  const out: NpmEntry[] = [];
  fromV1(path, lock.dependencies ?? {}, out);
  return dedupe(out);
}
