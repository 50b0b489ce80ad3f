import { z } from 'zod';
import { parseToml } from '../python/toml.js';

// Cargo.toml: the crate of the project itself, the application component. A workspace root
// without [package] (a virtual manifest), a version inherited from the workspace
// (`version.workspace = true`) or left out names no package. Crates Cargo downloaded
// (~/.cargo/registry, ~/.cargo/git; /usr/local/cargo/… in the official rust images) or vendored (`cargo vendor` into vendor/) are other
// people's sources, not the project.

const THIRD_PARTY = /(?:^|\/)(?:\.?cargo\/(?:registry|git)|vendor)\//;

export function isCargoManifest(path: string): boolean {
  return (path === 'Cargo.toml' || path.endsWith('/Cargo.toml')) && !THIRD_PARTY.test(path);
}

const Manifest = z.object({
  package: z
    .object({
      name: z.string().min(1),
      version: z.union([z.string(), z.object({ workspace: z.boolean() })]).optional(),
      license: z.union([z.string(), z.object({ workspace: z.boolean() })]).optional(),
    })
    .optional(),
});

export interface CargoProject {
  name: string;
  version: string;
  licenses: string[];
}

export function parseCargoToml(text: string): CargoProject | null {
  const p = parseToml(text, Manifest, 'Cargo.toml').package;
  if (!p || typeof p.version !== 'string') return null;
  return { name: p.name, version: p.version, licenses: typeof p.license === 'string' ? [p.license] : [] };
}
