import type { Cataloger, FileView, FoundPackage } from '../../scan/analyzer.js';
import { introducedIn } from '../../scan/analyzer.js';
import { pythonFile } from './files.js';
import { parseCoreMetadata } from './metadata.js';
import { normalizeName, pypiPurl, type PyPackage } from './package.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parseRequirements } from './requirements.js';
import { parseUvLock } from './uv.js';

// Installed distributions (dist-info, egg-info) in images and trees; Poetry, Pipenv
// and uv lockfiles and pinned requirements in source trees only.

interface Parsed {
  packages: PyPackage[];
}

function parse(path: string, content: Buffer): Parsed {
  const text = (): string => content.toString('utf8');
  switch (pythonFile(path, 'fs')) {
    case 'installed':
      return { packages: [parseCoreMetadata(text())] };
    case 'poetry':
      return { packages: parsePoetryLock(text()) };
    case 'pipfile':
      return { packages: parsePipfileLock(content) };
    case 'uv':
      return { packages: parseUvLock(text()) };
    case 'requirements':
      return { packages: parseRequirements(text()) };
    default:
      throw new Error('not a Python package file');
  }
}

const keyOf = (p: PyPackage): string => `${normalizeName(p.name)}@${p.version}`;

function catalog(view: FileView<Parsed>): FoundPackage[] {
  const out: FoundPackage[] = [];
  for (const path of view.paths()) {
    const cur = view.get(path)!;
    const history = view.history(path);
    // per version of the file, its packages by key: lockfiles hold thousands
    const keyed = new Map(history.map((h) => [h.data, new Set(h.data.packages.map(keyOf))]));
    for (const p of cur.data.packages) {
      // the layer since which this file has named this package at this version
      const key = keyOf(p);
      const layer = introducedIn(history, (d) => (keyed.get(d)?.has(key) ? p : undefined), () => true) ?? cur.layer;
      out.push({
        ecosystem: 'pypi',
        name: p.name,
        version: p.version,
        licenses: p.licenses ?? [],
        layer,
        path: `/${path}`,
        files: [],
        ...(p.dev ? { metadata: { dev: 'true' } } : {}),
      });
    }
  }
  return out;
}

export const python: Cataloger<Parsed> = {
  id: 'python',
  version: 1,
  ecosystem: 'pypi',
  wants: (path, _info, target) => pythonFile(path, target) !== undefined,
  parse,
  catalog,
  purl: (pkg) => pypiPurl(pkg.name, pkg.version),
};
