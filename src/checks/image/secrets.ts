import type { LayerRef } from '../../core/types.js';
import type { ImageConfig } from '../../image/image.js';
import { maskMetadata, scanMetadata, type MetadataMode } from '../secrets/metadata.js';
import type { CheckResult } from '../check.js';

// Secret findings in what an image says about itself: ENV, labels, manifest annotations and
// every history command (build arguments, URLs with passwords, tokens on command lines).

export interface HistoryStep {
  /** As recorded, unmasked: for scanning only. */
  createdBy: string;
  /** The layer the step made, or for a metadata step (empty_layer) the layer it sits on. */
  layer?: LayerRef;
  /** Whether the step made that layer itself. */
  ownLayer: boolean;
}

/** History entries with their layers: a step that made none sits on the nearest layer below. */
export function historySteps(config: ImageConfig, layers: readonly LayerRef[]): HistoryStep[] {
  let next = 0;
  let below: LayerRef | undefined;
  return (config.history ?? []).map((h) => {
    const own = h.empty_layer ? undefined : layers[next++];
    if (own) below = own;
    return { createdBy: h.created_by ?? '', ...(below ? { layer: below } : {}), ownLayer: own !== undefined };
  });
}

/** History as checks print it: each command with its secrets masked. */
export function maskedHistory(steps: readonly HistoryStep[]): { createdBy: string; layer?: LayerRef }[] {
  return steps.map((s) => ({
    createdBy: maskMetadata(s.createdBy),
    ...(s.ownLayer && s.layer ? { layer: s.layer } : {}),
  }));
}

interface Target {
  text: string;
  mode: MetadataMode;
  path: string;
  field: string;
  layer?: LayerRef;
}

const conf = (c: ImageConfig): Record<string, unknown> => (c.config ?? {}) as Record<string, unknown>;

/** The layer of the last history step that mentions `needle` (the step that set an ENV or label). */
function layerOfStep(steps: readonly HistoryStep[], needle: string): LayerRef | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.createdBy.includes(needle)) return steps[i]!.layer;
  return undefined;
}

function stringEntries(v: unknown): [string, string][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string');
}

function targets(
  config: ImageConfig,
  steps: readonly HistoryStep[],
  annotations: Record<string, string> | undefined,
): Target[] {
  const out: Target[] = [];
  const at = (layer: LayerRef | undefined) => (layer ? { layer } : {});
  for (const e of ((conf(config).Env ?? []) as unknown[]).filter((x): x is string => typeof x === 'string')) {
    const name = e.split('=')[0]!;
    out.push({
      text: e,
      mode: 'value',
      path: 'image config',
      field: `config.Env[${name}]`,
      ...at(layerOfStep(steps, `${name}=`)),
    });
  }
  for (const [k, v] of stringEntries(conf(config).Labels)) {
    out.push({
      text: `${k}=${v}`,
      mode: 'value',
      path: 'image config',
      field: `config.Labels["${k}"]`,
      ...at(layerOfStep(steps, k)),
    });
  }
  for (const [k, v] of stringEntries(annotations))
    out.push({ text: `${k}=${v}`, mode: 'value', path: 'image manifest', field: `annotations["${k}"]` });
  steps.forEach((s, i) =>
    out.push({ text: s.createdBy, mode: 'command', path: 'image config', field: `history[${i}]`, ...at(s.layer) }),
  );
  return out;
}

/**
 * Secret findings in ENV, labels, annotations and history. A value set by ENV is also in the
 * ENV step's history entry: it is reported once, at the first field that holds it.
 */
export function imageMetadataSecrets(
  config: ImageConfig,
  layers: readonly LayerRef[],
  annotations?: Record<string, string>,
): CheckResult[] {
  const seen = new Set<string>();
  const out: CheckResult[] = [];
  for (const t of targets(config, historySteps(config, layers), annotations)) {
    const found = scanMetadata(t.text, t.mode, {
      path: t.path,
      field: t.field,
      ...(t.layer ? { layer: t.layer } : {}),
    });
    found.results.forEach((r, i) => {
      const key = `${r.checkId}\n${found.values[i]}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(r);
    });
  }
  return out;
}
