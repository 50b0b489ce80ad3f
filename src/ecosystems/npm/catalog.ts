import { PackageURL } from 'packageurl-js';
import type { Cataloger, FoundPackage } from '../../scan/analyzer.js';
import type { NpmEntry } from './entry.js';
import { isInstalledManifest, parseInstalled } from './installed.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

// Installed packages (node_modules/**/package.json) in images and source trees; the
// lockfiles of npm, yarn and pnpm in source trees only (see ScanTarget).

type Parsed = { kind: 'installed'; pkg: NpmEntry | null } | { kind: 'lock'; packages: NpmEntry[] };

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
  version: 1,
  ecosystem: 'npm',
  wants: (path, _info, target) => isInstalledManifest(path) || (target === 'fs' && isLockfile(path)),
  parse(path, content) {
    if (isInstalledManifest(path)) return { kind: 'installed', pkg: parseInstalled(path, content) };
    const parse = LOCKFILES[baseName(path)];
    if (!parse) throw new Error(`${path}: not an npm manifest or lockfile`);
    return { kind: 'lock', packages: parse(path, content) };
  },
  catalog(view) {
    const out: FoundPackage[] = [];
    for (const path of view.paths()) {
      const cur = view.get(path)!;
      const entries = cur.data.kind === 'installed' ? (cur.data.pkg ? [cur.data.pkg] : []) : cur.data.packages;
      for (const e of entries) {
        out.push({
          ecosystem: 'npm',
          name: e.name,
          version: e.version,
          licenses: e.licenses,
          layer: cur.layer,
          path: `/${path}`,
          files: [],
          ...(e.dev ? { metadata: { dev: 'true' } } : {}),
        });
      }
    }
    return out;
  },
  purl(pkg) {
    // the scope is the namespace: pkg:npm/%40babel/core@7.0.0
    const slash = pkg.name.startsWith('@') ? pkg.name.indexOf('/') : -1;
    const namespace = slash > 0 ? pkg.name.slice(0, slash) : undefined;
    return new PackageURL('npm', namespace, slash > 0 ? pkg.name.slice(slash + 1) : pkg.name, pkg.version, undefined).toString();
  },
};
