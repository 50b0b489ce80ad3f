import type { ScanTarget } from '../../analysis/analyzer.js';

// Which files the Python cataloger reads. Installed packages are metadata files of any
// distribution directory wherever it lies, as Trivy reads them: site-packages of any
// interpreter or virtualenv, and trees vendored elsewhere (/usr/local/<sdk>/foo.dist-info/);
// the project's own pyproject.toml anywhere else; lockfiles and requirements only in source trees.

export type PythonFile = 'installed' | 'project' | 'poetry' | 'pipfile' | 'uv' | 'requirements';

/** Where installers put other people's distributions: a pyproject.toml there is no project of the artifact. */
const INSTALL_DIR = /(?:^|\/)(?:site|dist)-packages\//;

function installed(path: string): boolean {
  const parts = path.split('/');
  const n = parts.length;
  const last = parts[n - 1]!;
  const parent = parts[n - 2] ?? '';
  if (last === 'METADATA') return parent.endsWith('.dist-info');
  if (last === 'PKG-INFO') {
    if (parent.endsWith('.egg-info')) return true;
    // an unzipped egg: foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO
    return parent === 'EGG-INFO' && (parts[n - 3] ?? '').endsWith('.egg');
  }
  // distutils writes egg-info as a single file (Debian's pycairo-1.20.1.egg-info)
  return last.endsWith('.egg-info');
}

export function pythonFile(path: string, target: ScanTarget): PythonFile | undefined {
  if (installed(path)) return 'installed';
  const base = path.slice(path.lastIndexOf('/') + 1);
  // the project's own manifest, in images (/app/pyproject.toml) and source trees alike
  if (base === 'pyproject.toml') return INSTALL_DIR.test(path) ? undefined : 'project';
  if (target !== 'fs') return undefined;
  if (base === 'poetry.lock') return 'poetry';
  if (base === 'Pipfile.lock') return 'pipfile';
  if (base === 'uv.lock') return 'uv';
  if (base.startsWith('requirements') && base.endsWith('.txt')) return 'requirements';
  return undefined;
}
