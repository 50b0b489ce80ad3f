import type { Cataloger, FileView, FoundPackage } from '../../scan/analyzer.js';
import { introducedIn } from '../../scan/analyzer.js';
import { parseDepsJson } from './deps-json.js';
import { nugetPurl, type NuGetPackage } from './package.js';
import { parsePackagesLock } from './packages-lock.js';

// .NET: *.deps.json beside built applications (installed, so images and trees);
// NuGet's packages.lock.json in source trees only.

interface Parsed {
  packages: NuGetPackage[];
}

const DEPS = '.deps.json';
const LOCK = 'packages.lock.json';

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

// NuGet ids are case-insensitive; a file may hold several versions of one id
const keyOf = (p: NuGetPackage): string => `${p.name.toLowerCase()}@${p.version}`;

function catalog(view: FileView<Parsed>): FoundPackage[] {
  const out: FoundPackage[] = [];
  for (const path of view.paths()) {
    const cur = view.get(path)!;
    const history = view.history(path);
    // per version of the file, its packages by key: lock files hold hundreds
    const keyed = new Map(history.map((h) => [h.data, new Set(h.data.packages.map(keyOf))]));
    for (const p of cur.data.packages) {
      const key = keyOf(p);
      const find = (d: Parsed): NuGetPackage | undefined => (keyed.get(d)?.has(key) ? p : undefined);
      out.push({
        ecosystem: 'nuget',
        name: p.name,
        version: p.version,
        licenses: [],
        layer: introducedIn(history, find, () => true) ?? cur.layer,
        path: `/${path}`,
        files: [],
        ...(p.sha512 ? { metadata: { sha512: p.sha512 } } : {}),
      });
    }
  }
  return out;
}

export const dotnet: Cataloger<Parsed> = {
  id: 'dotnet',
  version: 1,
  ecosystem: 'nuget',
  wants(path, _info, target) {
    if (path.endsWith(DEPS)) return baseName(path).length > DEPS.length;
    return target === 'fs' && baseName(path) === LOCK;
  },
  parse(path, content) {
    return { packages: path.endsWith(DEPS) ? parseDepsJson(content) : parsePackagesLock(content) };
  },
  catalog,
  purl: (pkg) => nugetPurl(pkg.name, pkg.version),
};
