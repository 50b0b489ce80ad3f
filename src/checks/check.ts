import type { Stride } from '../core/threat.js';
import type { LayerRef, Severity } from '../core/types.js';

// One catalog of checks — image configuration and history, filesystem, secrets, workloads —
// used by `scan` now and by admission and the runtime agent later. Every check names the
// STRIDE threat it counters and a MITRE ATT&CK technique, so threat reports can be built
// from results.

/** What a check looks at. */
export type CheckTarget =
  'image-config' | 'image-history' | 'filesystem' | 'secret' | 'kubernetes' | 'compose' | 'docker-create';

export interface CheckInfo {
  /** Stable id, "BW-<AREA>-<NNN>", e.g. "BW-IMG-001", "BW-K8S-012", "BW-SEC-003". */
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  stride: Stride;
  /** MITRE ATT&CK technique id ("T1611", "T1552.001"). */
  attack: string;
  targets: readonly CheckTarget[];
  /** Pod Security Standards control and level it implements, where it is one. */
  pss?: { level: 'baseline' | 'restricted'; control: string };
}

/** A family of checks: a folder under checks/ with its checks, its catalog entries and one line in catalog.ts. */
export interface CheckFamily {
  id: 'image' | 'filesystem' | 'secrets' | 'workloads';
  checks: readonly CheckInfo[];
}

/** Where a result was found: a file (line), an image layer, a workload resource and field. */
interface ResultLocation {
  /** File path (in the image or on disk) or resource ("Deployment/web"). */
  path: string;
  line?: number;
  layer?: LayerRef;
  /** The field or key concerned ("spec.containers[0].securityContext.privileged", "ENV AWS_SECRET_ACCESS_KEY"). */
  field?: string;
}

/** One failed check. Secret values never appear unmasked in a message or evidence. */
export interface CheckResult {
  checkId: string;
  /** The check's severity, or the one the user re-graded it to. */
  severity: Severity;
  title: string;
  message: string;
  location: ResultLocation;
  /** A short, masked excerpt of what was matched. */
  evidence?: string;
}
