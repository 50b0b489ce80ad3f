import type { LayerRef } from '../../core/types.js';
import type { ImageConfig } from '../../image/image.js';
import { maskMetadata, NOT_A_SECRET, SECRET_NAME } from '../secrets/metadata.js';
import type { CheckInfo, CheckResult } from '../check.js';

// Checks on what an image says about itself: its config (user, ports, env, labels,
// healthcheck) and the history of the commands that built it.

export interface ImageFactsForChecks {
  config: ImageConfig;
  /** Every history entry (empty layers included), masked, with the layer each non-empty one made. */
  history: { createdBy: string; layer?: LayerRef }[];
  /** Secret detector for values (ENV, labels): the masked evidence, or undefined. */
  secretIn(name: string, value: string): string | undefined;
}

type ImageCheck = (f: ImageFactsForChecks, info: CheckInfo) => CheckResult[];

const result = (info: CheckInfo, message: string, field: string, layer?: LayerRef, evidence?: string): CheckResult => ({
  checkId: info.id,
  severity: info.severity,
  title: info.title,
  message,
  location: { path: 'image config', field, ...(layer ? { layer } : {}) },
  ...(evidence ? { evidence } : {}),
});

const conf = (f: ImageFactsForChecks): Record<string, unknown> => (f.config.config ?? {}) as Record<string, unknown>;

/** The last history step that set a config field, for its layer (metadata steps make none: the nearest layer below). */
function stepLayer(f: ImageFactsForChecks, pattern: RegExp): LayerRef | undefined {
  let layer: LayerRef | undefined;
  let found: LayerRef | undefined;
  for (const h of f.history) {
    if (h.layer) layer = h.layer;
    if (pattern.test(h.createdBy)) found = layer;
  }
  return found;
}

const runsAsRoot: ImageCheck = (f, info) => {
  const user = String(conf(f).User ?? '').trim();
  const name = user.split(':')[0]!;
  if (name !== '' && name !== 'root' && name !== '0') return [];
  return [
    result(
      info,
      user === '' ? 'no USER: the container runs as root' : `USER ${user} is root`,
      'config.User',
      stepLayer(f, /\bUSER\b/),
    ),
  ];
};

const SENSITIVE_PORTS: Record<number, string> = {
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  111: 'RPC portmapper',
  445: 'SMB',
  2375: 'Docker Engine API (plain)',
  2376: 'Docker Engine API (TLS)',
  3389: 'RDP',
  5900: 'VNC',
  5985: 'WinRM',
  5986: 'WinRM',
  6443: 'Kubernetes API',
  10250: 'kubelet API',
};

const sensitivePorts: ImageCheck = (f, info) =>
  Object.keys((conf(f).ExposedPorts ?? {}) as Record<string, unknown>).flatMap((spec) => {
    const port = Number(spec.split('/')[0]);
    const what = SENSITIVE_PORTS[port];
    return what
      ? [
          result(
            info,
            `exposes port ${spec} (${what})`,
            `config.ExposedPorts["${spec}"]`,
            stepLayer(f, new RegExp(`EXPOSE.*\\b${port}\\b`)),
          ),
        ]
      : [];
  });

/** ENV and labels: a value a secret rule matches, or a non-trivial value under a secret-sounding name. */
function secretsIn(
  f: ImageFactsForChecks,
  info: CheckInfo,
  entries: [string, string][],
  kind: 'ENV' | 'LABEL',
  field: (k: string) => string,
): CheckResult[] {
  const out: CheckResult[] = [];
  for (const [k, v] of entries) {
    const evidence =
      f.secretIn(k, v) ??
      (SECRET_NAME.test(k) && !NOT_A_SECRET.test(v.trim()) && !SECRET_NAME.test(v)
        ? `${k}=${'*'.repeat(8)}`
        : undefined);
    if (evidence)
      out.push(
        result(
          info,
          `${kind} ${k} holds a secret`,
          field(k),
          stepLayer(f, new RegExp(`\\b${kind}\\b.*\\b${k.replace(/[^\w]/g, '.')}\\b`)),
          evidence,
        ),
      );
  }
  return out;
}

const envSecrets: ImageCheck = (f, info) => {
  const env = ((conf(f).Env ?? []) as string[]).map((e): [string, string] => {
    const eq = e.indexOf('=');
    return eq === -1 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
  });
  return secretsIn(f, info, env, 'ENV', (k) => `config.Env[${k}]`);
};

const labelSecrets: ImageCheck = (f, info) =>
  secretsIn(
    f,
    info,
    Object.entries((conf(f).Labels ?? {}) as Record<string, string>),
    'LABEL',
    (k) => `config.Labels["${k}"]`,
  );

const noHealthcheck: ImageCheck = (f, info) => {
  const hc = conf(f).Healthcheck as { Test?: string[] } | undefined;
  if (hc?.Test?.length && hc.Test[0] !== 'NONE') return [];
  return [
    result(
      info,
      hc?.Test?.[0] === 'NONE' ? 'HEALTHCHECK NONE disables the health check' : 'no HEALTHCHECK',
      'config.Healthcheck',
    ),
  ];
};

const historyMatches = (
  f: ImageFactsForChecks,
  info: CheckInfo,
  re: RegExp,
  say: (cmd: string) => string,
): CheckResult[] =>
  f.history.flatMap((h, i) =>
    re.test(h.createdBy)
      ? [result(info, say(h.createdBy.replace(/\s+/g, ' ').trim().slice(0, 160)), `history[${i}]`, h.layer)]
      : [],
  );

const addFromUrl: ImageCheck = (f, info) =>
  historyMatches(f, info, /\bADD\b(\s+--\S+)*\s+https?:\/\//i, (c) => `ADD fetches from a URL, unverified: ${c}`);

// a download piped into a shell, or fetched then run, in one RUN
const PIPE_TO_SHELL =
  /\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+)?(ba|da|z|k)?sh\b|\b(curl|wget)\b[^;&|]*(-o|-O|>)\s*\S+\s*(&&|;)\s*(ba|da)?sh\s/i;
const curlPipeShell: ImageCheck = (f, info) =>
  historyMatches(f, info, PIPE_TO_SHELL, (c) => `a downloaded script runs unverified: ${c}`);

const BASE_LABELS = ['org.opencontainers.image.base.name'];
const mutableBase: ImageCheck = (f, info) => {
  const labels = (conf(f).Labels ?? {}) as Record<string, string>;
  return BASE_LABELS.flatMap((l) => {
    const base = labels[l];
    if (!base || base.includes('@sha256:')) return [];
    const tag = /:([\w.-]+)$/.exec(base.split('/').pop() ?? '')?.[1];
    if (tag && tag !== 'latest') return [];
    return [
      result(
        info,
        `base image ${maskMetadata(base)} is named by ${tag ? 'the mutable tag latest' : 'no tag (latest)'} and no digest`,
        `config.Labels["${l}"]`,
      ),
    ];
  });
};

/** id → check; the catalog entries for these ids live in catalog.ts. */
export const IMAGE_CHECKS: Record<string, ImageCheck> = {
  'BW-IMG-001': runsAsRoot,
  'BW-IMG-002': sensitivePorts,
  'BW-IMG-003': envSecrets,
  'BW-IMG-004': labelSecrets,
  'BW-IMG-005': noHealthcheck,
  'BW-IMG-006': addFromUrl,
  'BW-IMG-007': curlPipeShell,
  'BW-IMG-008': mutableBase,
};
