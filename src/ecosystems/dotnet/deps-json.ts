import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import type { NuGetPackage } from './package.js';

// <app>.deps.json, written by the .NET SDK beside a built or published application:
// "libraries" maps "Name/Version" to { type, serviceable, sha512, path, hashPath }.
// Only type "package" entries came from NuGet; "project" is the application and its
// project references, "reference" a plain assembly reference.

const Library = z.object({
  type: z.string(),
  sha512: z.string().optional(),
  path: z.string().optional(),
});
const DepsJson = z.object({
  runtimeTarget: z.unknown().optional(),
  targets: z.record(z.string(), z.unknown()),
  libraries: z.record(z.string(), Library),
});

export function parseDepsJson(content: Buffer | string): NuGetPackage[] {
  const deps = parseJson(content, DepsJson, 'deps.json');
  const out: NuGetPackage[] = [];
  for (const [key, lib] of Object.entries(deps.libraries)) {
    if (lib.type !== 'package') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || slash === key.length - 1)
      throw new BulwarkError('CORRUPT', 'deps.json', `library key "${key}" is not "Name/Version"`);
    const p: NuGetPackage = { name: key.slice(0, slash), version: key.slice(slash + 1) };
    const sha512 = lib.sha512?.replace(/^sha512-/, '');
    if (sha512) p.sha512 = sha512;
    out.push(p);
  }
  return out;
}
