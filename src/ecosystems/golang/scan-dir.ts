// Tests only: runs one cataloger over a directory the way the scanner does (walk, wants,
// parse, a JSON round trip as the layer cache would store it, one-layer view, catalog, purl),
// so a cataloger can be tested end to end before it is registered in ecosystems/index.ts.
import type { Package, ScanIssue } from '../../core/types.js';
import { walkRootfs } from '../../image/rootfs.js';
import { DEFAULT_LIMITS } from '../../image/layer-walker.js';
import type { Cataloger, ScanTarget } from '../../scan/analyzer.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../scan/layer-analysis.js';

export interface DirCatalog {
  packages: Package[];
  issues: ScanIssue[];
  /** Files the cataloger asked for, relative. */
  wanted: string[];
}

export async function catalogDir<T>(c: Cataloger<T>, dir: string, target: ScanTarget): Promise<DirCatalog> {
  const analysis: LayerAnalysis = { diffId: '', whiteouts: [], opaqueDirs: [], files: {} };
  const files: Record<string, { data?: unknown; error?: string }> = (analysis.files[c.id] = {});
  const wanted: string[] = [];
  await walkRootfs(
    dir,
    (path, info) => c.wants(path, info, target),
    (path, content) => {
      wanted.push(path);
      try {
        files[path] = { data: JSON.parse(JSON.stringify(c.parse(path, content) ?? null)) as unknown };
      } catch (e) {
        files[path] = { error: e instanceof Error ? e.message : String(e) };
      }
    },
    DEFAULT_LIMITS,
  );
  const merged = mergeLayers([{ ref: { index: 0, diffId: '' }, analysis }]);
  const issues: ScanIssue[] = [];
  for (const f of merged.values()) if (f.error !== undefined) issues.push({ analyzer: f.analyzer, path: `/${f.path}`, message: f.error });
  const found = c.catalog(viewFor<T>(merged, c.id), { os: null, issue: (i) => issues.push(i) });
  const packages = found.map((p) => ({ ...p, purl: c.purl ? c.purl(p) : '' }));
  packages.sort((a, b) => a.path.localeCompare(b.path) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return { packages, issues, wanted: wanted.sort() };
}
