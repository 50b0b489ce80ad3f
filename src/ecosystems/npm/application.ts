import type { NpmEntry } from './entry.js';
import { entryOf, readPackageJson } from './installed.js';

// The project's own package.json: any package.json outside node_modules. It is the application
// (Trivy's root package, Syft's and CycloneDX's "application"), listed when it has a name and a
// version, as Syft does; one without either (a monorepo root, a {"type":"module"} marker in a
// source folder) describes no package and is skipped without an issue.

const NODE_MODULES = /(?:^|\/)node_modules\//;

export function isApplicationManifest(path: string): boolean {
  return (path === 'package.json' || path.endsWith('/package.json')) && !NODE_MODULES.test(path);
}

export function parseApplication(path: string, content: Buffer): NpmEntry | null {
  const m = readPackageJson(path, content);
  return m.name && m.version ? entryOf({ ...m, name: m.name, version: m.version }, path) : null;
}
