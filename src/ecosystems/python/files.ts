import type { ScanTarget } from '../../scan/analyzer.js';

// Which files the Python cataloger reads. Installed packages are metadata files
// directly inside a site-packages or dist-packages directory (any interpreter,
// virtualenv or prefix); lockfiles and requirements only in source trees.

export type PythonFile = 'installed' | 'poetry' | 'pipfile' | 'uv' | 'requirements';

function isSitePackages(dir: string | undefined): boolean {
  return dir === 'site-packages' || dir === 'dist-packages';
}

function installed(path: string): boolean {
  if (!path.includes('-packages/')) return false;
  const parts = path.split('/');
  const n = parts.length;
  const last = parts[n - 1]!;
  const parent = parts[n - 2] ?? '';
  if (last === 'METADATA') return parent.endsWith('.dist-info') && isSitePackages(parts[n - 3]);
  if (last === 'PKG-INFO') {
    if (parent.endsWith('.egg-info')) return isSitePackages(parts[n - 3]);
    // an unzipped egg: foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO
    return parent === 'EGG-INFO' && (parts[n - 3] ?? '').endsWith('.egg') && isSitePackages(parts[n - 4]);
  }
  // distutils writes egg-info as a single file (Debian's pycairo-1.20.1.egg-info)
  return last.endsWith('.egg-info') && isSitePackages(parent);
}

export function pythonFile(path: string, target: ScanTarget): PythonFile | undefined {
  if (installed(path)) return 'installed';
  if (target !== 'fs') return undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'poetry.lock') return 'poetry';
  if (base === 'Pipfile.lock') return 'pipfile';
  if (base === 'uv.lock') return 'uv';
  if (base.startsWith('requirements') && base.endsWith('.txt')) return 'requirements';
  return undefined;
}
