import { z } from 'zod';
import { parseJson } from '../../core/json.js';

// Composer's records of packages: vendor/composer/installed.json (Composer 1: a bare
// array; Composer 2: { packages, dev, dev-package-names }) and composer.lock
// ({ packages, packages-dev }). Both hold the same package objects.

/** One package; plain JSON, so it can be cached per layer. */
export interface ComposerEntry {
  name: string;
  /** As Composer writes it ("v5.4.23", "1.6.0", "dev-main"), not the normalised form. */
  version: string;
  licenses: string[];
  dev?: boolean;
  /** The project itself, from its own composer.json. */
  application?: boolean;
}

// composer.json's schema: "vendor/package"; older packages may still have capitals
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*)\/[A-Za-z0-9](?:[A-Za-z0-9_.-]*)$/;

const Package = z.object({
  name: z.string().regex(NAME, 'not a vendor/package name'),
  version: z.string().min(1),
  license: z.union([z.string(), z.array(z.string())]).optional(),
});
type Package = z.infer<typeof Package>;

const Installed = z.union([
  z.array(Package),
  z.object({ packages: z.array(Package), 'dev-package-names': z.array(z.string()).optional() }),
]);

const Lock = z.object({ packages: z.array(Package), 'packages-dev': z.array(Package).nullable().optional() });

function entry(p: Package, dev: boolean): ComposerEntry {
  const licenses = p.license === undefined ? [] : typeof p.license === 'string' ? [p.license] : p.license;
  return { name: p.name, version: p.version, licenses, ...(dev ? { dev: true } : {}) };
}

export function parseInstalledJson(path: string, content: Buffer): ComposerEntry[] {
  const doc = parseJson(content, Installed, path);
  if (Array.isArray(doc)) return doc.map((p) => entry(p, false));
  const dev = new Set(doc['dev-package-names'] ?? []);
  return doc.packages.map((p) => entry(p, dev.has(p.name)));
}

export function parseComposerLock(path: string, content: Buffer): ComposerEntry[] {
  const doc = parseJson(content, Lock, path);
  return [...doc.packages.map((p) => entry(p, false)), ...(doc['packages-dev'] ?? []).map((p) => entry(p, true))];
}

// the root composer.json: "name" and "version" are both optional (a project's version most
// often comes from its VCS tag); other fields are the project's business
const Root = z.object({
  name: z.string().regex(NAME, 'not a vendor/package name').optional(),
  version: z.string().min(1).optional(),
  license: Package.shape.license,
});

/** The project's own composer.json: the application component when it names itself and its version. */
export function parseComposerJson(path: string, content: Buffer): ComposerEntry[] {
  const doc = parseJson(content, Root, path);
  if (!doc.name || !doc.version) return [];
  return [{ ...entry({ name: doc.name, version: doc.version, license: doc.license }, false), application: true }];
}
