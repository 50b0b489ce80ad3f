// Tests only: runs one cataloger over a directory the way src/scan/scan.ts does (walk, wants,
// parse with errors kept as data and one inflate budget, a JSON round trip as the layer cache would store it,
// one-layer view, catalog, purl, a purl that cannot be built reported as an issue), so a
// cataloger can be tested end to end on its own, without the registry in ecosystems/index.ts.
import { messageOf } from '../../src/core/errors.js';
import type { Package, ScanIssue } from '../../src/core/types.js';
import { walkRootfs } from '../../src/image/rootfs.js';
import { DEFAULT_LIMITS } from '../../src/image/limits.js';
import { scanBudget } from '../../src/core/zip.js';
import type { Cataloger, ScanTarget } from '../../src/analysis/analyzer.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../src/analysis/layer-analysis.js';

export interface DirCatalog {
  packages: Package[];
  issues: ScanIssue[];
  /** Files the cataloger asked for, relative. */
  wanted: string[];
}

export interface CatalogDirOptions {
  /** How the packages are sorted: by path, name and version unless given; false keeps the cataloger's order. */
  order?: ((a: Package, b: Package) => number) | false;
}

const byPath = (a: Package, b: Package): number =>
  a.path.localeCompare(b.path) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version);

export async function catalogDir<T>(
  c: Cataloger<T>,
  dir: string,
  target: ScanTarget,
  opts: CatalogDirOptions = {},
): Promise<DirCatalog> {
  const analysis: LayerAnalysis = { diffId: '', whiteouts: [], opaqueDirs: [], files: {} };
  const files: Record<string, { data?: unknown; error?: string }> = (analysis.files[c.id] = {});
  const wanted: string[] = [];
  const ctx = { maxFileBytes: DEFAULT_LIMITS.maxFileBytes, inflate: scanBudget(DEFAULT_LIMITS) };
  const record = (path: string, r: { data?: unknown; error?: string }): void => {
    wanted.push(path);
    files[path] = r;
  };
  await walkRootfs(
    dir,
    {
      wants: (path, info, limits) => c.wants(path, info, target, limits),
      onFile: (path, content) => {
        try {
          record(path, { data: JSON.parse(JSON.stringify(c.parse(path, content, undefined, ctx) ?? null)) as unknown });
        } catch (e) {
          record(path, { error: messageOf(e) });
        }
      },
      onTooLarge: (path, info) => record(path, { error: `not read: ${info.size} bytes, over the file size limit` }),
    },
    DEFAULT_LIMITS,
  );
  const merged = mergeLayers([{ ref: { index: 0, diffId: '' }, analysis }]);
  const issues: ScanIssue[] = [];
  for (const f of merged.values())
    if (f.error !== undefined) issues.push({ analyzer: f.analyzer, path: `/${f.path}`, message: f.error });
  const packages: Package[] = [];
  for (const p of c.catalog(viewFor<T>(merged, c.id), { os: null, issue: (i) => issues.push(i) })) {
    let purl = '';
    try {
      purl = c.purl ? c.purl(p) : '';
    } catch (e) {
      issues.push({
        analyzer: c.id,
        path: p.path,
        layer: p.layer,
        message: `package "${p.name}" has no valid purl: ${messageOf(e)}`,
      });
    }
    packages.push({ ...p, purl });
  }
  const order = opts.order ?? byPath;
  if (order) packages.sort(order);
  return { packages, issues, wanted: wanted.sort() };
}
