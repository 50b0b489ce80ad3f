import type { CheckResult } from '../checks/check.js';
import { scanConfig, type PssLevel } from '../checks/workloads/config-scan.js';
import { regrade, type CheckOptions } from '../checks/run.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import type { OpenedImage } from '../image/image.js';
import type { Limits } from '../image/limits.js';
import type { ScanReport } from '../report/report.js';
import {
  scanFs,
  scanImage,
  scanRootfs,
  type PkgType,
  type Progress,
  type ScanResult,
  type ScanStats,
} from '../scan/scan.js';
import { judge, type GateRules, type GateVerdict } from './verdict.js';
import { scanVulnerabilities } from './vulns.js';

// One scan pipeline for every caller (the CLI, push, attest, policy check; next the server
// and admission): scan → match with VEX and ignores → checks, re-graded → gate → verdict.
// Plain data in and out: no flags, no rendering, no exit.

/** What to scan. An image is opened (and closed) by the caller. */
export type PipelineTarget =
  | { kind: 'image'; image: OpenedImage; cacheDir: string | null; progress?: Progress }
  | { kind: 'rootfs'; dir: string; name?: string }
  | { kind: 'fs'; dir: string; name?: string }
  /** Workload files: Kubernetes manifests, compose files, container-create bodies. */
  | { kind: 'config'; path: string; pss?: { level: PssLevel; version?: string } };

export interface PipelineOptions {
  /** Package cataloguing (image, rootfs, fs). */
  catalog?: { limits?: Limits; keepOsOwned?: boolean; pkgTypes?: readonly PkgType[] };
  /** Secret and misconfiguration checks, their skips and re-grading; absent = no checks (config targets: workload checks only). */
  checks?: CheckOptions;
  /** Match against this vulnerability DB; absent = no vulnerability results. */
  vulns?: { dbPath: string; ignoreFile?: string; vexFiles?: readonly string[]; now?: Date };
  /** Severities reported and gated on (checks and findings); default all. */
  severities?: readonly Severity[];
  /** Leave out findings with no fixed version. */
  ignoreUnfixed?: boolean;
  /** What counts against the target and the exit code. */
  gate?: GateRules;
}

/** The checks a caller asks for (the pipeline's input type, so callers above need not reach into checks/). */
export type PipelineChecks = NonNullable<PipelineOptions['checks']>;
export type ImageTarget = Extract<PipelineTarget, { kind: 'image' }>;

export interface PipelineResult {
  /** Inventory, vulnerability results and the failed checks at the reported severities. */
  report: ScanReport;
  verdict: GateVerdict;
  /** Layers analysed and taken from the cache (image, rootfs, fs). */
  stats?: ScanStats;
  startedOn: Date;
  finishedOn: Date;
}

function scanTarget(t: Exclude<PipelineTarget, { kind: 'config' }>, o: PipelineOptions): Promise<ScanResult> {
  const c = o.catalog ?? {};
  const dirOptions = { ...c, ...(o.checks ? { checks: o.checks } : {}) };
  switch (t.kind) {
    case 'image':
      return scanImage(t.image, {
        cacheDir: t.cacheDir,
        ...dirOptions,
        ...(t.progress ? { progress: t.progress } : {}),
      });
    case 'rootfs':
      return scanRootfs(t.dir, t.name ?? t.dir, dirOptions);
    case 'fs':
      return scanFs(t.dir, t.name ?? t.dir, dirOptions);
  }
}

/** Workload files → workload (and PSS) checks, skipped and re-graded as asked. */
async function checkConfig(
  t: Extract<PipelineTarget, { kind: 'config' }>,
  o: PipelineOptions,
): Promise<{ inventory: ScanResult['inventory']; checks: CheckResult[] }> {
  const r = await scanConfig(t.path, {
    ...(t.pss ? { pss: t.pss } : {}),
    ...(o.checks?.disabled ? { disabled: o.checks.disabled } : {}),
  });
  return { inventory: r.inventory, checks: regrade(r.checks, o.checks?.severity) };
}

export async function runPipeline(target: PipelineTarget, o: PipelineOptions = {}): Promise<PipelineResult> {
  const startedOn = new Date();
  const severities = o.severities ?? SEVERITIES;
  const scanned = target.kind === 'config' ? await checkConfig(target, o) : await scanTarget(target, o);
  const checks = scanned.checks?.filter((c) => severities.includes(c.severity));
  const report: ScanReport = { inventory: scanned.inventory, ...(checks ? { checks } : {}) };
  if (o.vulns) {
    const { results, issues } = await scanVulnerabilities(scanned.inventory, {
      dbPath: o.vulns.dbPath,
      severities,
      ignoreUnfixed: o.ignoreUnfixed ?? false,
      ...(o.gate?.unknownAs ? { unknownAs: o.gate.unknownAs } : {}),
      ...(o.vulns.ignoreFile ? { ignoreFile: o.vulns.ignoreFile } : {}),
      vexFiles: [...(o.vulns.vexFiles ?? [])],
      ...(o.vulns.now ? { now: o.vulns.now } : {}),
    });
    scanned.inventory.issues.push(...issues);
    report.vulnerabilities = results;
  }
  const stats = 'stats' in scanned ? scanned.stats : undefined;
  return {
    report,
    verdict: judge(checks, report.vulnerabilities, o.gate),
    ...(stats ? { stats } : {}),
    startedOn,
    finishedOn: new Date(),
  };
}
