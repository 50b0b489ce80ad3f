import { PackageURL } from 'packageurl-js';

/** A Python package as one file states it. */
export interface PyPackage {
  name: string;
  version: string;
  licenses?: string[];
  /** Locked only for development (Pipfile "develop", Poetry dev groups). */
  dev?: boolean;
}

/** PEP 503 normal form: lower case, runs of "-", "_" and "." as one "-". */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * pkg:pypi/name@version. The purl spec lower-cases and turns "_" into "-"; dots are
 * folded too, as PEP 503 does and as the spec is being amended to say, so that
 * "zope.interface" and "zope-interface" are one package.
 */
export function pypiPurl(name: string, version: string): string {
  return new PackageURL('pypi', undefined, normalizeName(name), version || undefined).toString();
}
