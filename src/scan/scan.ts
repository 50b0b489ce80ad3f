import type { Artifact, Inventory, LayerInfo, LayerRef, Package, ScanIssue } from '../core/types.js';
import { catalogers } from '../ecosystems/index.js';
import type { OpenedImage } from '../image/image.js';
import { DEFAULT_LIMITS, walkLayer, type Limits } from '../image/layer-walker.js';
import { walkRootfs } from '../image/rootfs.js';
import { osRelease } from '../os/detect.js';
import { packagePurl } from '../sbom/purl.js';
import type { FileAnalyzer } from './analyzer.js';
import { mergeLayers, viewFor, type LayerAnalysis } from './layer-analysis.js';
import { LayerCache } from './layer-cache.js';

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
}

export interface ScanStats {
  layersAnalysed: number;
  layersFromCache: number;
}

export interface ScanResult {
  inventory: Inventory;
  stats: ScanStats;
}

const analyzers: readonly FileAnalyzer<unknown>[] = [osRelease, ...catalogers];
const ANALYZERS_KEY = analyzers.map((a) => `${a.id}@${a.version}`).join(',');

class Collector {
  readonly analysis: LayerAnalysis;
  constructor(diffId: string) {
    this.analysis = { diffId, whiteouts: [], opaqueDirs: [], files: {} };
  }
  wants = (path: string): boolean => analyzers.some((a) => a.wants(path));
  onFile = (path: string, content: Buffer): void => {
    for (const a of analyzers) {
      if (!a.wants(path)) continue;
      const files = (this.analysis.files[a.id] ??= {});
      try {
        files[path] = { data: a.parse(path, content) };
      } catch (e) {
        files[path] = { error: e instanceof Error ? e.message : String(e) };
      }
    }
  };
}

function inventoryFrom(artifact: Artifact, layers: LayerInfo[], analyses: { ref: LayerRef; analysis: LayerAnalysis }[]): Inventory {
  const merged = mergeLayers(analyses);
  const issues: ScanIssue[] = [];
  for (const f of merged.values()) {
    if (f.error !== undefined) issues.push({ analyzer: f.analyzer, path: `/${f.path}`, message: f.error });
  }
  const os = osRelease.detect(viewFor(merged, osRelease.id));
  const packages: Package[] = [];
  for (const c of catalogers) {
    for (const p of c.catalog(viewFor(merged, c.id), { os, issue: (i) => issues.push(i) })) {
      let purl = '';
      try {
        purl = packagePurl(p, os);
      } catch (e) {
        issues.push({ analyzer: c.id, path: p.path, layer: p.layer, message: `package "${p.name}" has no valid purl: ${e instanceof Error ? e.message : String(e)}` });
      }
      packages.push({ ...p, purl });
    }
  }
  packages.sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return { schemaVersion: 1, artifact, os, layers, packages, issues };
}

export async function scanImage(image: OpenedImage, opts: ScanOptions): Promise<ScanResult> {
  const cache = new LayerCache(opts.cacheDir, ANALYZERS_KEY);
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
  try {
    for (const layer of todo) {
      const c = new Collector(layer.diffId);
      let reported = 0;
      const walk = await walkLayer(layer, c.wants, c.onFile, opts.limits ?? DEFAULT_LIMITS, (b) => {
        opts.progress?.advance(b - reported);
        reported = b;
      });
      c.analysis.whiteouts = walk.whiteouts;
      c.analysis.opaqueDirs = walk.opaqueDirs;
      await cache.put(c.analysis);
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
    ...(l.createdBy !== undefined ? { createdBy: l.createdBy } : {}),
    ...(l.mediaType ? { mediaType: l.mediaType } : {}),
  }));
  return { inventory: inventoryFrom(image.artifact, layers, analyses), stats };
}

export async function scanRootfs(dir: string, name: string, opts: Pick<ScanOptions, 'limits'> = {}): Promise<ScanResult> {
  const c = new Collector('');
  await walkRootfs(dir, c.wants, c.onFile, opts.limits ?? DEFAULT_LIMITS);
  const artifact: Artifact = { name, type: 'rootfs', repoTags: [], repoDigests: [] };
  return { inventory: inventoryFrom(artifact, [], [{ ref: { index: 0, diffId: '' }, analysis: c.analysis }]), stats: { layersAnalysed: 1, layersFromCache: 0 } };
}
