import type { Ecosystem, LayerRef, OsInfo, Package, ScanIssue } from '../core/types.js';
import type { InflateBudget } from '../core/zip.js';
import type { Limits } from '../image/limits.js';

// Two phases, so that per-layer work can be cached: `parse` sees one file of one
// layer and returns plain JSON data; the second phase sees the merged image.

/** What the walker knows of a file before reading it. */
export interface FileInfo {
  size: number;
  /** Permission bits (0o755 …); executables are candidates for binary analysis. */
  mode: number;
}

/**
 * Images are scanned for what is installed; source trees (`scan fs`) also for what
 * lockfiles and manifests declare, as Trivy and Grype do: in an image, a lockfile
 * next to node_modules would count every package twice.
 */
export type ScanTarget = 'image' | 'fs';

/** What the files of one scan share while they are parsed (parsers that read files out of a file: nested archives). */
export interface ParseContext {
  /** The user's file size limit (--max-file-size): a nested file larger than this is not read, and reported. */
  maxFileBytes: number;
  /** One inflate budget for every archive the scan opens, nested ones included. */
  inflate: InflateBudget;
}

export interface FileAnalyzer<T> {
  id: string;
  /** Part of the layer-cache key: bump it whenever `parse` changes what it returns. */
  version: number;
  /**
   * Relative path, no leading slash. Called for every file of every layer: keep it cheap.
   * Size limits are the walker's: a wanted file over the user's limit becomes a ScanIssue.
   * `limits` are the ones the walk applies (the user's --max-file-size and the rest).
   */
  wants(path: string, info: FileInfo, target: ScanTarget, limits: Limits): boolean;
  /** Throws on bad content; the error becomes a ScanIssue naming the file. */
  parse(path: string, content: Buffer, info?: FileInfo, ctx?: ParseContext): T;
}

export interface FileVersion<T> {
  layer: LayerRef;
  data: T;
}

/** The analyzer's files as they stand in the final image, each with the versions it went through. */
export interface FileView<T> {
  paths(): string[];
  get(path: string): FileVersion<T> | undefined;
  /** Versions since the file last appeared, oldest first; the last is the current one. */
  history(path: string): FileVersion<T>[];
}

/** A package as a cataloger finds it; the scanner adds the purl. */
export type FoundPackage = Omit<Package, 'purl'>;

interface CatalogContext {
  os: OsInfo | null;
  issue(i: ScanIssue): void;
}

export interface Cataloger<T> extends FileAnalyzer<T> {
  ecosystem: Ecosystem;
  catalog(view: FileView<T>, ctx: CatalogContext): FoundPackage[];
  /** Language ecosystems build their own purls; OS packages get theirs from the OS. */
  purl?(pkg: FoundPackage): string;
}

export interface OsDetector<T> extends FileAnalyzer<T> {
  detect(view: FileView<T>): OsInfo | null;
}

/**
 * The layer a record was last introduced or changed in: walking back through the
 * file's versions while the record is unchanged.
 */
export function introducedIn<T, R>(
  history: FileVersion<T>[],
  find: (data: T) => R | undefined,
  same: (a: R, b: R) => boolean,
): LayerRef | undefined {
  const last = history[history.length - 1];
  if (!last) return undefined;
  const current = find(last.data);
  if (current === undefined) return undefined;
  let layer = last.layer;
  for (let i = history.length - 2; i >= 0; i--) {
    const prev = find(history[i]!.data);
    if (prev === undefined || !same(prev, current)) break;
    layer = history[i]!.layer;
  }
  return layer;
}

/** Registries hold analyzers of different data types; the scanner only passes each its own data back. */
export function erase<T>(a: Cataloger<T>): Cataloger<unknown> {
  return a as unknown as Cataloger<unknown>;
}
