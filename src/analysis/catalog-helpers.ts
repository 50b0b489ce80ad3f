import type { Ecosystem, LayerRef } from '../core/types.js';
import { introducedIn, type FileInfo, type FileVersion, type FileView, type FoundPackage } from './analyzer.js';

// What several catalogers do alike. (Not under src/ecosystems: every folder there is a cataloger.)

/** Where a package was found: the layer its file stands in and the file, with a leading slash. */
export type FoundAt = Pick<FoundPackage, 'layer' | 'path'>;

/**
 * The packages of every file of the view as it stands in the final image; a file whose parse
 * found nothing (null) gives none. `path` is the view's own, without the leading slash.
 */
export function catalogFiles<T>(
  view: FileView<T>,
  list: (data: NonNullable<T>, at: FoundAt, path: string) => FoundPackage[],
): FoundPackage[] {
  const out: FoundPackage[] = [];
  for (const path of view.paths()) {
    const cur = view.get(path);
    if (cur?.data === undefined || cur.data === null) continue;
    for (const p of list(cur.data, { layer: cur.layer, path: `/${path}` }, path)) out.push(p);
  }
  return out;
}

/** A package as a lockfile or manifest lists it. */
export interface ListedEntry {
  name: string;
  version: string;
  licenses?: string[];
  /** Only a development dependency, where the file says so. */
  dev?: boolean;
}

/** A listed package found at `at`; a development-only one is marked dev in its metadata. */
export function listedPackage(ecosystem: Ecosystem, e: ListedEntry, at: FoundAt): FoundPackage {
  return {
    ecosystem,
    name: e.name,
    version: e.version,
    licenses: e.licenses ?? [],
    layer: at.layer,
    path: at.path,
    files: [],
    ...(e.dev ? { metadata: { dev: 'true' } } : {}),
  };
}

/** The project itself, read from its own manifest (package.json, pyproject.toml, Cargo.toml, …). */
export function applicationPackage(ecosystem: Ecosystem, e: ListedEntry, at: FoundAt): FoundPackage {
  return { ...listedPackage(ecosystem, e, at), role: 'application' };
}

/**
 * For a file that lists packages by key: the layer since which the file has listed a key,
 * walking back through its versions while each still lists it.
 */
export function listedSince<T>(
  history: FileVersion<T>[],
  keysOf: (data: T) => string[],
): (key: string) => LayerRef | undefined {
  // per version of the file, its keys: lockfiles hold thousands
  const keyed = new Map(history.map((h) => [h.data, new Set(keysOf(h.data))]));
  return (key) =>
    introducedIn(
      history,
      (d) => (keyed.get(d)?.has(key) ? key : undefined),
      () => true,
    );
}

/** Below this, an executable is too small to carry embedded build data (Go build info, cargo-auditable). */
const MIN_BINARY = 1024;

/** An executable worth reading for the build data compilers embed: not tiny (the walker reports one over its size limit). */
export function isBinaryCandidate(info: FileInfo): boolean {
  return (info.mode & 0o111) !== 0 && info.size >= MIN_BINARY;
}
