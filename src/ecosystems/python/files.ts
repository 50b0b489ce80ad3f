import type { ScanTarget } from '../../scan/analyzer.js';

// Which files the Python cataloger reads. Installed packages are metadata files of any
// distribution directory wherever it lies, as Trivy reads them: site-packages of any
// interpreter or virtualenv, and trees vendored elsewhere (/usr/local/<sdk>/foo.dist-info/);
// lockfiles and requirements only in source trees.

export type PythonFile = 'installed' | 'poetry' | 'pipfile' | 'uv' | 'requirements';

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
  if (target !== 'fs') return undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'poetry.lock') return 'poetry';
  if (base === 'Pipfile.lock') return 'pipfile';
  if (base === 'uv.lock') return 'uv';
  if (base.startsWith('requirements') && base.endsWith('.txt')) return 'requirements';
  return undefined;
}
