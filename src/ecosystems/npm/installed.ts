import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import { checkName, type NpmEntry } from './entry.js';
import { npmLicences } from './licences.js';

// An installed package: node_modules/<name>/package.json or node_modules/@scope/<name>/package.json,
// at any depth. Its parent directory, not its content, says it is a package.

const INSTALLED = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

export function isInstalledManifest(path: string): boolean {
  return path.endsWith('/package.json') && path.includes('node_modules/') && INSTALLED.test(path);
}

const Manifest = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  private: z.boolean().optional(),
  license: z.unknown().optional(),
  licenses: z.unknown().optional(),
});

export type PackageJson = z.infer<typeof Manifest>;

/** Any package.json, as far as a package is concerned. */
export function readPackageJson(path: string, content: Buffer): PackageJson {
  // a few published package.json files start with a byte-order mark, which npm ignores
  return parseJson(content.toString('utf8').replace(/^\uFEFF/, ''), Manifest, path);
}

/** The package a package.json with both name and version describes. */
export function entryOf(m: PackageJson & { name: string; version: string }, path: string): NpmEntry {
  return { name: checkName(m.name, path), version: m.version, licenses: npmLicences(m.license, m.licenses) };
}

/**
 * null for a private package without name or version (a workspace member's manifest
 * copied into node_modules); any other package.json without both is an error, reported.
 */
export function parseInstalled(path: string, content: Buffer): NpmEntry | null {
  const m = readPackageJson(path, content);
  if (!m.name || !m.version) {
    if (m.private) return null;
    throw new BulwarkError('MISSING_FIELD', path, `package.json without ${m.name ? 'version' : 'name'}`);
  }
  return entryOf({ ...m, name: m.name, version: m.version }, path);
}
