import type { LayerRef } from '../core/types.js';
import type { FileView, FileVersion } from './analyzer.js';

/** What one layer contributes, per analyzer and file: the unit that is cached. */
export interface LayerAnalysis {
  diffId: string;
  whiteouts: string[];
  opaqueDirs: string[];
  /** analyzer id → path → parsed data or the parse error. */
  files: Record<string, Record<string, { data?: unknown; error?: string }>>;
}

export interface MergedFile {
  analyzer: string;
  path: string;
  error?: string;
  history: FileVersion<unknown>[];
}

function under(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * Applies layers in order as a union filesystem would: whiteouts delete a path and
 * everything below it, an opaque directory hides what lower layers put in it, and a
 * file written again continues its history.
 */
export function mergeLayers(layers: { ref: LayerRef; analysis: LayerAnalysis }[]): Map<string, MergedFile> {
  const merged = new Map<string, MergedFile>();
  const key = (analyzer: string, path: string): string => `${analyzer}\0${path}`;
  for (const { ref, analysis } of layers) {
    if (analysis.whiteouts.length + analysis.opaqueDirs.length > 0) {
      for (const [k, f] of merged) {
        if (
          analysis.whiteouts.some((w) => under(f.path, w)) ||
          analysis.opaqueDirs.some((d) => f.path !== d && under(f.path, d))
        )
          merged.delete(k);
      }
    }
    for (const [analyzer, files] of Object.entries(analysis.files)) {
      for (const [path, r] of Object.entries(files)) {
        const k = key(analyzer, path);
        const prev = merged.get(k);
        const history = r.error === undefined && prev && prev.error === undefined ? prev.history : [];
        const next: MergedFile = {
          analyzer,
          path,
          history: r.error === undefined ? [...history, { layer: ref, data: r.data }] : [],
        };
        if (r.error !== undefined) next.error = r.error;
        merged.set(k, next);
      }
    }
  }
  return merged;
}

export function viewFor<T>(merged: Map<string, MergedFile>, analyzer: string): FileView<T> {
  const files = new Map<string, FileVersion<T>[]>();
  for (const f of merged.values()) {
    if (f.analyzer === analyzer && f.error === undefined) files.set(f.path, f.history as FileVersion<T>[]);
  }
  return {
    paths: () => [...files.keys()].sort(),
    get: (p) => files.get(p)?.at(-1),
    history: (p) => files.get(p) ?? [],
  };
}
