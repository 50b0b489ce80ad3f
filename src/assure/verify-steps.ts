import { BulwarkError, isBulwarkError, type ErrorCode } from '../core/errors.js';

// A verification is an ordered list of named steps run over each stored candidate (a
// signature or an attestation); the first step that fails ends that candidate with its own
// code, so the CLI and policy can say which check did not hold, not just that one did not.

/** How one step ended: `code` and `reason` only when it failed. */
export interface StepOutcome<S extends string> {
  step: S;
  ok: boolean;
  code?: ErrorCode;
  reason?: string;
}

/** One candidate taken through the steps: those run, in order; the last one failed unless it verified. */
export interface Candidate<S extends string> {
  /** "signature 1", "attestation 2"; or "signatures"/"attestations" when the fetch found none. */
  name: string;
  steps: StepOutcome<S>[];
  /** The step that failed, when one did. */
  failed?: StepOutcome<S> & { code: ErrorCode; reason: string };
}

/** A verdict over all candidates; `failures` are the failed candidates as one line each, for the user. */
export interface Verification<S extends string, V> {
  digest: string;
  verified: V[];
  failures: string[];
  candidates: Candidate<S>[];
}

/** Ends the step it is thrown from, with this code. */
export class StepFailure extends BulwarkError {}

export function failStep(code: ErrorCode, candidate: string, reason: string): never {
  throw new StepFailure(code, candidate, reason);
}

export type Step<S extends string, C> = readonly [S, (ctx: C) => void];

/**
 * Runs the steps over ctx in order until one throws a BulwarkError (it fails there; a parse
 * error keeps its code and whole message). Anything else is a bug and propagates.
 */
export function runSteps<S extends string, C>(name: string, steps: readonly Step<S, C>[], ctx: C): Candidate<S> {
  const out: Candidate<S> = { name, steps: [] };
  for (const [step, run] of steps) {
    try {
      run(ctx);
      out.steps.push({ step, ok: true });
    } catch (e) {
      if (!isBulwarkError(e)) throw e;
      const failed = { step, ok: false, code: e.code, reason: e instanceof StepFailure ? e.reason : e.message };
      out.steps.push(failed);
      out.failed = failed;
      break;
    }
  }
  return out;
}

/** The candidate that stands for "nothing stored": it fails at the fetch step. */
export function nothingFetched<S extends string>(name: string, fetch: S, reason: string): Candidate<S> {
  const failed = { step: fetch, ok: false, code: 'NOT_SIGNED' as const, reason };
  return { name, steps: [failed], failed };
}

/** One line per failed candidate, naming the step and its code: "signature 1: <reason> [check signature: BAD_SIGNATURE]". */
export function failureLines<S extends string>(candidates: readonly Candidate<S>[]): string[] {
  return candidates.flatMap((c) => (c.failed ? [`${c.name}: ${c.failed.reason} [${c.failed.step}: ${c.failed.code}]`] : []));
}
