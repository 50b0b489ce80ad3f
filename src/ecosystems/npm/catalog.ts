import { PackageURL } from 'packageurl-js';
import type { Cataloger } from '../../analysis/analyzer.js';
import { applicationPackage, catalogFiles, listedPackage } from '../../analysis/catalog-helpers.js';
import { BulwarkError } from '../../core/errors.js';
import { isApplicationManifest, parseApplication } from './application.js';
import type { NpmEntry } from './entry.js';
import { isInstalledManifest, parseInstalled } from './installed.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

// Installed packages (node_modules/**/package.json) and the application's own package.json
// (outside node_modules) in images and source trees; the lockfiles of npm, yarn and pnpm in
// source trees only (see ScanTarget). A lockfile never lists its own project (its "" entry), so
// a package.json beside it gives the one application component.

type Parsed =
  | { kind: 'installed'; pkg: NpmEntry | null }
  | { kind: 'application'; pkg: NpmEntry | null }
  | { kind: 'lock'; packages: NpmEntry[] };

const LOCKFILES: Record<string, (path: string, content: Buffer) => NpmEntry[]> = {
  'package-lock.json': parsePackageLock,
  'npm-shrinkwrap.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A project's lockfile; lockfiles that published packages ship inside node_modules describe nothing installed. */
function isLockfile(path: string): boolean {
  return Object.hasOwn(LOCKFILES, baseName(path)) && !path.includes('node_modules/');
}

export const npm: Cataloger<Parsed> = {
  id: 'npm',
  version: 2,
  ecosystem: 'npm',
  wants: (path, _info, target) =>
    isInstalledManifest(path) || isApplicationManifest(path) || (target === 'fs' && isLockfile(path)),
  parse(path, content) {
    if (isInstalledManifest(path)) return { kind: 'installed', pkg: parseInstalled(path, content) };
    if (isApplicationManifest(path)) return { kind: 'application', pkg: parseApplication(path, content) };
    const parse = LOCKFILES[baseName(path)];
    if (!parse) throw new BulwarkError('UNKNOWN_FORMAT', path, 'not an npm manifest or lockfile');
    return { kind: 'lock', packages: parse(path, content) };
  },
  catalog(view) {
    return catalogFiles(view, (data, at) => {
      if (data.kind === 'application') return data.pkg ? [applicationPackage('npm', data.pkg, at)] : [];
      const entries = data.kind === 'installed' ? (data.pkg ? [data.pkg] : []) : data.packages;
      return entries.map((e) => listedPackage('npm', e, at));
    });
  },
  purl(pkg) {
    // the scope is the namespace: pkg:npm/%40babel/core@7.0.0
    const slash = pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
    const namespace = slash > 0 ? pkg.name.slice(0, slash) : undefined;
    return new PackageURL(
      'npm',
      namespace,
      slash > 0 ? pkg.name.slice(slash + 1) : pkg.name,
      pkg.version,
      undefined,
    ).toString();
  },
};
