import type { Inventory } from '../../core/types.js';
import { checkWorkload } from './checks.js';
import { scanConfigPath } from './discover.js';
import { workloadLabel } from './model.js';
import { evaluatePss } from './pss.js';
import type { CheckResult } from '../check.js';

// `scan config PATH`: workload files (Kubernetes manifests, compose files, container-create
// bodies) → the workload checks, and optionally a Pod Security Standards level; results
// in the same shape as an image's checks, so every report format shows them.

export type PssLevel = 'baseline' | 'restricted';
const PSS_CHECK_IDS: Record<PssLevel, string> = { baseline: 'BW-PSS-001', restricted: 'BW-PSS-002' };

export interface ConfigScanOptions {
  pss?: { level: PssLevel; version?: string };
  disabled?: ReadonlySet<string>;
}

export interface ConfigScanResult {
  inventory: Inventory;
  checks: CheckResult[];
}

export async function scanConfig(path: string, o: ConfigScanOptions = {}): Promise<ConfigScanResult> {
  const found = await scanConfigPath(path);
  const checks: CheckResult[] = [];
  for (const w of found.workloads) {
    checks.push(...checkWorkload(w).filter((r) => !o.disabled?.has(r.checkId)));
    if (!o.pss || w.target !== 'kubernetes' || o.disabled?.has(PSS_CHECK_IDS[o.pss.level])) continue;
    const verdict = evaluatePss(w, o.pss.level, o.pss.version);
    for (const v of verdict.violations) {
      checks.push({
        checkId: PSS_CHECK_IDS[o.pss.level],
        severity: o.pss.level === 'baseline' ? 'HIGH' : 'MEDIUM',
        title: `Pod Security Standard "${o.pss.level}" (${o.pss.version ?? 'latest'})`,
        message: `${workloadLabel(w)}: ${v.control}: ${v.message}`,
        location: { path: w.source.file, ...(w.source.line ? { line: w.source.line } : {}), field: v.field },
      });
    }
  }
  const inventory: Inventory = {
    schemaVersion: 1,
    artifact: { name: path, type: 'config', repoTags: [], repoDigests: [] },
    os: null,
    layers: [],
    packages: [],
    issues: [
      ...found.errors.map((e) => ({ analyzer: 'config', path: e.input, message: e.message.slice(e.input.length + 2) })),
      ...found.skipped.map((s) => ({
        analyzer: 'config',
        path: `${s.file}${s.line ? `:${s.line}` : ''}`,
        message: `skipped${s.kind ? ` ${s.kind}${s.name ? `/${s.name}` : ''}` : ''}: ${s.reason}`,
      })),
    ],
  };
  return {
    inventory,
    checks: checks.sort(
      (a, b) =>
        a.location.path.localeCompare(b.location.path) ||
        (a.location.line ?? 0) - (b.location.line ?? 0) ||
        a.checkId.localeCompare(b.checkId),
    ),
  };
}
