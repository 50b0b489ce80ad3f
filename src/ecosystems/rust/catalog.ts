import { PackageURL } from 'packageurl-js';
import type { Cataloger, FoundPackage } from '../../analysis/analyzer.js';
import { applicationPackage, catalogFiles, isBinaryCandidate, type FoundAt } from '../../analysis/catalog-helpers.js';
import { readAuditData, type AuditedCrate } from './auditable.js';
import { parseCargoLock, type LockedCrate } from './cargolock.js';
import { isCargoManifest, parseCargoToml, type CargoProject } from './cargotoml.js';

// Rust crates from three places: cargo-auditable data in binaries (images and source trees),
// the project's own Cargo.toml, its application component (images and source trees), and
// Cargo.lock (source trees only), which leaves workspace members out: no double count.

export type RustFile =
  | { kind: 'binary'; crates: AuditedCrate[] }
  | { kind: 'lock'; crates: LockedCrate[] }
  | { kind: 'project'; crate: CargoProject | null }
  | null;

const CRATES_IO = new Set([
  'registry+https://github.com/rust-lang/crates.io-index',
  'sparse+https://index.crates.io/',
  'crates.io',
]);

const isLock = (path: string): boolean => path === 'Cargo.lock' || path.endsWith('/Cargo.lock');

function fromBinary(crates: AuditedCrate[], base: Omit<FoundPackage, 'name' | 'version'>): FoundPackage[] {
  // Build-time crates (build scripts, proc-macros) are not linked into the binary; path crates
  // other than the binary's own are not published anywhere an advisory could name them.
  return crates
    .filter((c) => c.kind === 'runtime' && (c.root || c.source !== 'local'))
    .map((c) => ({
      ...base,
      name: c.name,
      version: c.version,
      metadata: { source: c.source, ...(c.root ? { root: 'true' } : {}) },
    }));
}

function fromLock(crates: LockedCrate[], base: Omit<FoundPackage, 'name' | 'version'>): FoundPackage[] {
  // no source: a workspace member or path dependency, built from the tree itself
  return crates
    .filter((c) => c.source)
    .map((c) => ({ ...base, name: c.name, version: c.version, metadata: { source: c.source! } }));
}

function projectCrate(crate: CargoProject | null, at: FoundAt): FoundPackage[] {
  return crate ? [applicationPackage('cargo', crate, at)] : [];
}

/** purl qualifiers for crates not from crates.io, from a Cargo.lock source ("git+URL?branch=x#sha", "registry+URL"). */
function qualifiers(source: string | undefined): Record<string, string> | undefined {
  if (!source || CRATES_IO.has(source)) return undefined;
  const git = /^git\+([^?#]+)(?:\?[^#]*)?(?:#([0-9a-f]+))?$/.exec(source);
  if (git) return { vcs_url: `git+${git[1]}${git[2] ? `@${git[2]}` : ''}` };
  const reg = /^(?:registry|sparse)\+(.+)$/.exec(source);
  if (reg) return { repository_url: reg[1]! };
  return undefined;
}

export const rust: Cataloger<RustFile> = {
  id: 'rust',
  version: 2,
  ecosystem: 'cargo',
  wants(path, info, target) {
    if (isLock(path)) return target === 'fs';
    return isCargoManifest(path) || isBinaryCandidate(info);
  },
  parse(path, content) {
    if (isLock(path)) return { kind: 'lock', crates: parseCargoLock(content.toString('utf8')).packages };
    if (isCargoManifest(path)) return { kind: 'project', crate: parseCargoToml(content.toString('utf8')) };
    const crates = readAuditData(content, path);
    return crates ? { kind: 'binary', crates } : null;
  },
  catalog(view) {
    return catalogFiles(view, (data, at) => {
      if (data.kind === 'project') return projectCrate(data.crate, at);
      const base = { ecosystem: 'cargo' as const, licenses: [], files: [], ...at };
      return data.kind === 'lock' ? fromLock(data.crates, base) : fromBinary(data.crates, base);
    });
  },
  purl(pkg) {
    return new PackageURL(
      'cargo',
      undefined,
      pkg.name,
      pkg.version || undefined,
      qualifiers(pkg.metadata?.source),
    ).toString();
  },
};
