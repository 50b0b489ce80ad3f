import type { Severity } from '../core/types.js';

// What the evaluator knows about one image. Registry, signature and scan code fill this
// in; the evaluator only reads it (no I/O, no crypto), so the push gate, `policy check`,
// admission and runtime all judge an image the same way.

export interface ScanFinding {
  id: string;
  severity: Severity;
  fixable: boolean;
  pkg?: string;
}

export interface ImageFacts {
  /** As the user or workload named it, e.g. "127.0.0.1:5000/team/app:1.0" or "…@sha256:…". */
  reference: string;
  /** Normalised registry host[:port]: "127.0.0.1:5000", "docker.io". */
  registry: string;
  /** Normalised repository path: "team/app", "library/debian" (Docker Hub short names expanded). */
  repository: string;
  /** The tag in the reference, if any. */
  tag?: string;
  /** The reference names a digest. */
  pinned: boolean;
  /** Resolved manifest digest. */
  digest: string;
  /** The image's layer diff ids (sha256:…), base first. */
  layers: string[];
  /** Names of policy keys with at least one valid signature over this digest. */
  signatures: { keys: string[] };
  /** Verified attestations: predicate type and the names of the policy keys that signed it. */
  attestations: { predicateType: string; keys: string[] }[];
  /** The latest vulnerability scan of this digest, if any. */
  scan?: { finishedAt: string; findings: ScanFinding[] };
  /** Failed checks (secrets, misconfigurations) of the latest scan, when checks ran. */
  checks?: { id: string; severity: Severity; message: string }[];
  /** Evaluation time (default: now), for the scan age. */
  now?: Date;
}
