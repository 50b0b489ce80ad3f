import {
  OS_ECOSYSTEMS,
  type Artifact,
  type Inventory,
  type LayerInfo,
  type LayerRef,
  type OsInfo,
  type Package,
  type ScanIssue,
} from '../core/types.js';
import { catalogers } from '../ecosystems/index.js';
import type { OpenedImage } from '../image/image.js';
import { walkLayer } from '../image/layer-walker.js';
import { DEFAULT_LIMITS, type Limits } from '../image/limits.js';
import { walkRootfs } from '../image/rootfs.js';
import { osDetectors } from '../os/index.js';
import { packagePurl } from '../sbom/purl.js';
import type { Cataloger, FileAnalyzer, ParseContext } from '../analysis/analyzer.js';
import { Collector } from '../analysis/collector.js';
import { mergeLayers, viewFor, type LayerAnalysis, type MergedFile } from '../analysis/layer-analysis.js';
import { LayerCache } from '../analysis/layer-cache.js';
import { checkAnalyzers, runChecks, type CheckOptions } from '../checks/run.js';
import { scanBudget } from '../core/zip.js';
import type { CheckResult } from '../checks/check.js';
import { maskMetadata } from '../checks/secrets/metadata.js';
import { z } from 'zod';

// artifact → per-layer analysis (cached) → merged view → OS + packages → Inventory.

export interface Progress {
  start(totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export interface ScanOptions {
  /** null disables the layer cache. */
  cacheDir: string | null;
  limits?: Limits;
  progress?: Progress;
  /** Also list language packages whose files an OS package installed (marked ownedBy). */
  keepOsOwned?: boolean;
  /** Which catalogers run: OS packages, language ("library") packages, or both (default). */
  pkgTypes?: readonly PkgType[];
  /** Secret and misconfiguration checks (default: none). */
  checks?: CheckOptions;
}

export type PkgType = 'os' | 'library';
export const PKG_TYPES: readonly PkgType[] = ['os', 'library'];

export interface ScanStats {
  layersAnalysed: number;
  layersFromCache: number;
}

export interface ScanResult {
  inventory: Inventory;
  /** Failed checks, when checks ran. */
  checks?: CheckResult[];
  stats: ScanStats;
}

function selectCatalogers(types: readonly PkgType[] = PKG_TYPES): Cataloger<unknown>[] {
  return catalogers.filter((c) => types.includes(OS_ECOSYSTEMS.includes(c.ecosystem) ? 'os' : 'library'));
}

/**
 * A language package read from a file that an OS package installed (Debian's python3-yaml
 * ships PyYAML's dist-info) is that OS package: listing both would count it twice.
 */
function dropOsOwned(packages: Package[], keep: boolean): Package[] {
  const owner = new Map<string, Package>();
  for (const p of packages) if (OS_ECOSYSTEMS.includes(p.ecosystem)) for (const f of p.files) owner.set(f, p);
  if (owner.size === 0) return packages;
  const out: Package[] = [];
  for (const p of packages) {
    const os = OS_ECOSYSTEMS.includes(p.ecosystem) ? undefined : owner.get(p.path);
    if (!os) out.push(p);
    else if (keep) out.push({ ...p, ownedBy: { ecosystem: os.ecosystem, name: os.name, version: os.version } });
  }
  return out;
}

/** The distribution, from the first OS detector that recognises the image. */
function detectOs(merged: Map<string, MergedFile>): OsInfo | null {
  for (const d of osDetectors) {
    const os = d.detect(viewFor(merged, d.id));
    if (os) return os;
  }
  return null;
}

function inventoryFrom(
  artifact: Artifact,
  layers: LayerInfo[],
  analyses: { ref: LayerRef; analysis: LayerAnalysis }[],
  chosen: readonly Cataloger<unknown>[],
  keepOsOwned = false,
): Inventory {
  const merged = mergeLayers(analyses);
  const issues: ScanIssue[] = [];
  for (const f of merged.values()) {
    if (f.error !== undefined) issues.push({ analyzer: f.analyzer, path: `/${f.path}`, message: f.error });
  }
  const os = detectOs(merged);
  const packages: Package[] = [];
  for (const c of chosen) {
    for (const p of c.catalog(viewFor(merged, c.id), { os, issue: (i) => issues.push(i) })) {
      let purl = '';
      try {
        purl = c.purl ? c.purl(p) : packagePurl(p, os);
      } catch (e) {
        issues.push({
          analyzer: c.id,
          path: p.path,
          layer: p.layer,
          message: `package "${p.name}" has no valid purl: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
      packages.push({ ...p, purl });
    }
  }
  const kept = dropOsOwned(packages, keepOsOwned);
  kept.sort(
    (a, b) =>
      a.ecosystem.localeCompare(b.ecosystem) ||
      a.name.localeCompare(b.name) ||
      a.version.localeCompare(b.version) ||
      a.path.localeCompare(b.path),
  );
  // a parser's message can quote the file ("…"password": "…" is not valid JSON"): masked
  const masked = issues.map((i) => ({ ...i, message: maskMetadata(i.message) }));
  return { schemaVersion: 1, artifact, os, layers, packages: kept, issues: masked };
}

const ManifestAnnotations = z.looseObject({ annotations: z.record(z.string(), z.string()).optional() });

/** The image manifest's annotations, where the source has a manifest that records any. */
function manifestAnnotations(image: OpenedImage): Record<string, string> | undefined {
  if (!image.manifest) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(image.manifest.bytes.toString('utf8'));
  } catch {
    return undefined; // the source already read this manifest; an unreadable one failed there
  }
  return ManifestAnnotations.safeParse(doc).data?.annotations;
}

function analyzersFor(
  chosen: readonly Cataloger<unknown>[],
  opts: Pick<ScanOptions, 'checks'>,
): FileAnalyzer<unknown>[] {
  return [...osDetectors, ...chosen, ...(opts.checks ? checkAnalyzers(opts.checks) : [])];
}

export async function scanImage(image: OpenedImage, opts: ScanOptions): Promise<ScanResult> {
  const chosen = selectCatalogers(opts.pkgTypes);
  const analyzers = analyzersFor(chosen, opts);
  const limits = opts.limits ?? DEFAULT_LIMITS;
  // the file size limit decides what is read and what is an issue: part of the key
  const cache = new LayerCache(
    opts.cacheDir,
    [...analyzers.map((a) => `${a.id}@${a.version}`), `max-file=${limits.maxFileBytes}`].join(','),
  );
  const stats: ScanStats = { layersAnalysed: 0, layersFromCache: 0 };
  const analyses: { ref: LayerRef; analysis: LayerAnalysis }[] = [];
  const todo: typeof image.layers = [];
  for (const layer of image.layers) {
    const hit = await cache.get(layer.diffId);
    if (hit) {
      stats.layersFromCache++;
      analyses[layer.index] = { ref: { index: layer.index, diffId: layer.diffId }, analysis: hit };
    } else {
      todo.push(layer);
    }
  }
  opts.progress?.start(todo.reduce((n, l) => n + (l.size ?? 0), 0));
  const ctx: ParseContext = { maxFileBytes: limits.maxFileBytes, inflate: scanBudget(limits) };
  try {
    for (const layer of todo) {
      const c = new Collector(layer.diffId, 'image', analyzers, limits, ctx);
      let reported = 0;
      const walk = await walkLayer(layer, c, limits, (b) => {
        opts.progress?.advance(b - reported);
        reported = b;
      });
      c.analysis.whiteouts = walk.whiteouts;
      c.analysis.opaqueDirs = walk.opaqueDirs;
      // once the scan's inflate budget refused an archive, what a layer yields depends on the layers read before it
      if (!ctx.inflate.exhausted) await cache.put(c.analysis);
      stats.layersAnalysed++;
      analyses[layer.index] = { ref: { index: layer.index, diffId: layer.diffId }, analysis: c.analysis };
    }
  } finally {
    opts.progress?.stop();
  }
  const layers: LayerInfo[] = image.layers.map((l) => ({
    index: l.index,
    digest: l.digest,
    diffId: l.diffId,
    ...(l.size !== undefined ? { size: l.size } : {}),
    // the layer list prints the command: build arguments, URL passwords and tokens masked
    ...(l.createdBy !== undefined ? { createdBy: maskMetadata(l.createdBy) } : {}),
    ...(l.mediaType ? { mediaType: l.mediaType } : {}),
  }));
  const inventory = inventoryFrom(image.artifact, layers, analyses, chosen, opts.keepOsOwned);
  const annotations = manifestAnnotations(image);
  const checks = opts.checks
    ? runChecks({ analyses, inventory, config: image.config, ...(annotations ? { annotations } : {}) }, opts.checks)
    : undefined;
  return { inventory, stats, ...(checks ? { checks } : {}) };
}

export type DirScanOptions = Pick<ScanOptions, 'limits' | 'keepOsOwned' | 'pkgTypes' | 'checks'>;

async function scanDir(dir: string, name: string, type: 'rootfs' | 'fs', opts: DirScanOptions): Promise<ScanResult> {
  const chosen = selectCatalogers(opts.pkgTypes);
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const c = new Collector('', type === 'fs' ? 'fs' : 'image', analyzersFor(chosen, opts), limits, {
    maxFileBytes: limits.maxFileBytes,
    inflate: scanBudget(limits),
  });
  await walkRootfs(dir, c, limits);
  const artifact: Artifact = { name, type, repoTags: [], repoDigests: [] };
  const analyses = [{ ref: { index: 0, diffId: '' }, analysis: c.analysis }];
  const inventory = inventoryFrom(artifact, [], analyses, chosen, opts.keepOsOwned);
  return {
    inventory,
    stats: { layersAnalysed: 1, layersFromCache: 0 },
    ...(opts.checks ? { checks: runChecks({ analyses, inventory }, opts.checks) } : {}),
  };
}

/** An unpacked root filesystem, scanned as an image would be. */
export function scanRootfs(dir: string, name: string, opts: DirScanOptions = {}): Promise<ScanResult> {
  return scanDir(dir, name, 'rootfs', opts);
}

/** A source tree or any directory: installed packages plus lockfiles and manifests. */
export function scanFs(dir: string, name: string, opts: DirScanOptions = {}): Promise<ScanResult> {
  return scanDir(dir, name, 'fs', opts);
}
