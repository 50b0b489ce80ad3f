import type { Inventory, LayerRef, Severity } from '../core/types.js';
import type { ImageConfig } from '../image/image.js';
import type { FileAnalyzer } from '../analysis/analyzer.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../analysis/layer-analysis.js';
import { secretsAnalyzer } from './secrets/analyzer.js';
import { scanSecrets } from './secrets/scan.js';
import { CHECKS } from './catalog.js';
import type { CheckInfo, CheckResult } from './check.js';
import { fsFacts, type FsFact } from './filesystem/analyzer.js';
import { FS_CHECKS } from './filesystem/checks.js';
import { IMAGE_CHECKS } from './image/config.js';
import { historySteps, imageMetadataSecrets, maskedHistory } from './image/secrets.js';

// The checks half of a scan: which analyzers the layer walk needs, and the results from
// what they found plus the image config — filtered and re-graded as the user asked.

export interface CheckOptions {
  secrets: boolean;
  misconfig: boolean;
  /** Check ids not to run. */
  disabled?: ReadonlySet<string>;
  /** Check id → severity to report instead of the catalog's. */
  severity?: ReadonlyMap<string, Severity>;
}

export function checkAnalyzers(o: CheckOptions): FileAnalyzer<unknown>[] {
  return [...(o.misconfig ? [fsFacts] : []), ...(o.secrets ? [secretsAnalyzer] : [])] as FileAnalyzer<unknown>[];
}

export interface CheckInputs {
  analyses: { ref: LayerRef; analysis: LayerAnalysis }[];
  inventory: Inventory;
  /** For images: config and history. */
  config?: ImageConfig;
  /** For images: the manifest's annotations, where the source has a manifest. */
  annotations?: Record<string, string>;
}

const layerRefs = (inputs: CheckInputs): LayerRef[] => inputs.analyses.map((a) => a.ref);

/** Masked evidence when a secret rule matches NAME=value (ENV entries, labels). */
export function secretInAssignment(name: string, value: string): string | undefined {
  return scanSecrets(`ENV ${name}`, Buffer.from(`${name}=${value}\n`)).results[0]?.evidence;
}

/** Results at the severities the user re-graded their checks to (in place). */
export function regrade(results: CheckResult[], severity: ReadonlyMap<string, Severity> | undefined): CheckResult[] {
  for (const r of results) r.severity = severity?.get(r.checkId) ?? r.severity;
  return results;
}

export function runChecks(inputs: CheckInputs, o: CheckOptions): CheckResult[] {
  const info = new Map<string, CheckInfo>(CHECKS.map((c) => [c.id, c]));
  const out: CheckResult[] = [];
  const on = (id: string): CheckInfo | undefined => (o.disabled?.has(id) ? undefined : info.get(id));
  if (o.misconfig) {
    if (inputs.config) {
      // history as checks print it: masked
      const facts = {
        config: inputs.config,
        history: maskedHistory(historySteps(inputs.config, layerRefs(inputs))),
        secretIn: secretInAssignment,
      };
      for (const [id, check] of Object.entries(IMAGE_CHECKS)) {
        const c = on(id);
        if (c) out.push(...check(facts, c));
      }
    }
    const view = viewFor<FsFact>(mergeLayers(inputs.analyses), fsFacts.id);
    for (const [id, check] of Object.entries(FS_CHECKS)) {
      const c = on(id);
      if (c) out.push(...check({ view, packages: inputs.inventory.packages }, c));
    }
  }
  if (o.secrets) {
    if (inputs.config)
      for (const r of imageMetadataSecrets(inputs.config, layerRefs(inputs), inputs.annotations))
        if (on(r.checkId)) out.push(r);
    // every layer: a secret deleted by a later layer is still in the image
    for (const { ref, analysis } of inputs.analyses) {
      for (const r of Object.values(analysis.files[secretsAnalyzer.id] ?? {})) {
        for (const x of (r.data as CheckResult[] | undefined) ?? [])
          if (on(x.checkId)) out.push({ ...x, location: { ...x.location, ...(ref.diffId ? { layer: ref } : {}) } });
      }
    }
  }
  return regrade(out, o.severity).sort(
    (a, b) =>
      a.checkId.localeCompare(b.checkId) ||
      a.location.path.localeCompare(b.location.path) ||
      (a.location.line ?? 0) - (b.location.line ?? 0),
  );
}
