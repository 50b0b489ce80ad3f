import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import type { NuGetPackage } from './package.js';

// packages.lock.json (NuGet's RestorePackagesWithLockFile): "dependencies" maps each
// target framework (and framework/RID) to packages with a "resolved" version and a
// type: Direct, Transitive or CentralTransitive; Project entries are project
// references in the same solution, not NuGet packages.

const Dependency = z.object({
  type: z.string(),
  resolved: z.string().min(1).optional(),
  contentHash: z.string().optional(),
});
const Lock = z.object({
  version: z.number().int(),
  dependencies: z.record(z.string(), z.record(z.string(), Dependency)),
});

export function parsePackagesLock(content: Buffer | string): NuGetPackage[] {
  const lock = parseJson(content, Lock, 'packages.lock.json');
  const seen = new Map<string, NuGetPackage>();
  for (const [framework, deps] of Object.entries(lock.dependencies)) {
    for (const [name, d] of Object.entries(deps)) {
      if (d.type === 'Project') continue;
      if (!d.resolved)
        throw new BulwarkError(
          'MISSING_FIELD',
          'packages.lock.json',
          `${framework} package "${name}" has no resolved version`,
        );
      // the same package is usually locked once per framework
      const key = `${name.toLowerCase()}@${d.resolved}`;
      if (seen.has(key)) continue;
      const p: NuGetPackage = { name, version: d.resolved };
      if (d.contentHash) p.sha512 = d.contentHash;
      seen.set(key, p);
    }
  }
  return [...seen.values()];
}
