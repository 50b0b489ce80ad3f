import { z } from 'zod';
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

/**
 * null for a private package without name or version (a workspace member's manifest
 * copied into node_modules); any other package.json without both is an error, reported.
 */
export function parseInstalled(path: string, content: Buffer): NpmEntry | null {
  // a few published package.json files start with a byte-order mark, which npm ignores
  const m = parseJson(content.toString('utf8').replace(/^\uFEFF/, ''), Manifest, path);
  if (!m.name || !m.version) {
    if (m.private) return null;
    throw new Error(`${path}: package.json without ${m.name ? 'version' : 'name'}`);
  }
  return { name: checkName(m.name, path), version: m.version, licenses: npmLicences(m.license, m.licenses) };
}
