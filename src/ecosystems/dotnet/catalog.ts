import type { Cataloger, FileView, FoundPackage } from '../../analysis/analyzer.js';
import { catalogFiles, listedPackage, listedSince } from '../../analysis/catalog-helpers.js';
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
  return catalogFiles(view, (data, at, path) => {
    const since = listedSince(view.history(path), (d) => d.packages.map(keyOf));
    return data.packages.map((p) => ({
      ...listedPackage('nuget', p, { ...at, layer: since(keyOf(p)) ?? at.layer }),
      ...(p.sha512 ? { metadata: { sha512: p.sha512 } } : {}),
    }));
  });
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
