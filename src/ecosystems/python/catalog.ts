import type { Cataloger, FileView, FoundPackage } from '../../analysis/analyzer.js';
import { applicationPackage, catalogFiles, listedPackage, listedSince } from '../../analysis/catalog-helpers.js';
import { BulwarkError } from '../../core/errors.js';
import { pythonFile } from './files.js';
import { parseCoreMetadata } from './metadata.js';
import { normalizeName, pypiPurl, type PyPackage } from './package.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parsePyproject } from './pyproject.js';
import { parseRequirements } from './requirements.js';
import { parseUvLock } from './uv.js';

// Installed distributions (dist-info, egg-info) and the project's own pyproject.toml (the
// application) in images and trees; Poetry, Pipenv and uv lockfiles and pinned requirements in
// source trees only. None of those lockfiles lists the project itself: no double count.

interface Parsed {
  packages: PyPackage[];
  /** The file is the project's own manifest: its package is the application. */
  application?: true;
}

function parse(path: string, content: Buffer): Parsed {
  const text = (): string => content.toString('utf8');
  switch (pythonFile(path, 'fs')) {
    case 'installed':
      return { packages: [parseCoreMetadata(text())] };
    case 'project': {
      const p = parsePyproject(text());
      return { packages: p ? [p] : [], application: true };
    }
    case 'poetry':
      return { packages: parsePoetryLock(text()) };
    case 'pipfile':
      return { packages: parsePipfileLock(content) };
    case 'uv':
      return { packages: parseUvLock(text()) };
    case 'requirements':
      return { packages: parseRequirements(text()) };
    default:
      throw new BulwarkError('UNKNOWN_FORMAT', path, 'not a Python package file');
  }
}

const keyOf = (p: PyPackage): string => `${normalizeName(p.name)}@${p.version}`;

function catalog(view: FileView<Parsed>): FoundPackage[] {
  return catalogFiles(view, (data, at, path) => {
    // the layer since which this file has named each package at this version
    const since = listedSince(view.history(path), (d) => d.packages.map(keyOf));
    const list = data.application ? applicationPackage : listedPackage;
    return data.packages.map((p) => list('pypi', p, { ...at, layer: since(keyOf(p)) ?? at.layer }));
  });
}

export const python: Cataloger<Parsed> = {
  id: 'python',
  version: 3,
  ecosystem: 'pypi',
  wants: (path, _info, target) => pythonFile(path, target) !== undefined,
  parse,
  catalog,
  purl: (pkg) => pypiPurl(pkg.name, pkg.version),
};
