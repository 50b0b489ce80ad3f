import { BulwarkError, isBulwarkError, type ErrorCode } from '../core/errors.js';
import { attachmentTag, readAttachments, type Attachment, type AttachmentKind } from './attachments.js';
import type { NamedKey } from './keys.js';
import type { Target } from './target.js';

// A verification is an ordered list of named steps run over each stored candidate (a
// signature or an attestation); the first step that fails ends that candidate with its own
// code, so the CLI and policy can say which check did not hold, not just that one did not.

/** How one step ended: `code` and `reason` only when it failed. */
interface StepOutcome<S extends string> {
  step: S;
  ok: boolean;
  code?: ErrorCode;
  reason?: string;
}

/** One candidate taken through the steps: those run, in order; the last one failed unless it verified. */
interface Candidate<S extends string> {
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
class StepFailure extends BulwarkError {}

export function failStep(code: ErrorCode, candidate: string, reason: string): never {
  throw new StepFailure(code, candidate, reason);
}

export type Step<S extends string, C> = readonly [S, (ctx: C) => void];

/**
 * Runs the steps over ctx in order until one throws a BulwarkError (it fails there; a parse
 * error keeps its code and whole message). Anything else is a bug and propagates.
 */
function runSteps<S extends string, C>(name: string, steps: readonly Step<S, C>[], ctx: C): Candidate<S> {
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

/** One line per failed candidate, naming the step and its code: "signature 1: <reason> [check signature: BAD_SIGNATURE]". */
function failureLines<S extends string>(candidates: readonly Candidate<S>[]): string[] {
  return candidates.flatMap((c) =>
    c.failed ? [`${c.name}: ${c.failed.reason} [${c.failed.step}: ${c.failed.code}]`] : [],
  );
}

/** What every step sees of its candidate; a verification adds what its steps find. */
export interface CandidateContext {
  name: string;
  found: Attachment;
  keys: NamedKey[];
  target: Target;
}

const NOUN: Record<AttachmentKind, string> = { sig: 'signature', att: 'attestation' };

/**
 * Fetches the stored signatures or attestations of the target (failing the fetch step with
 * NOT_SIGNED when there are none) and runs the steps over each; `verifiedOf` reads what a
 * candidate that passed them all verified.
 */
export async function verifyStored<S extends string, C extends CandidateContext, V>(
  target: Target,
  keys: NamedKey[],
  kind: AttachmentKind,
  run: { fetch: S; steps: readonly Step<S, C>[]; context: (base: CandidateContext) => C; verifiedOf: (ctx: C) => V },
): Promise<Verification<S, V>> {
  const found = await readAttachments(target.client, target.ref.repository, target.digest, kind);
  const verdict: Verification<S, V> = { digest: target.digest, verified: [], failures: [], candidates: [] };
  if (found.length === 0) {
    const failed = {
      step: run.fetch,
      ok: false,
      code: 'NOT_SIGNED' as const,
      reason: `${attachmentTag(target.digest, kind)} does not exist`,
    };
    verdict.candidates.push({ name: `no ${NOUN[kind]}s`, steps: [failed], failed });
  }
  found.forEach((a, i) => {
    const ctx = run.context({ name: `${NOUN[kind]} ${i + 1}`, found: a, keys, target });
    const candidate = runSteps(ctx.name, run.steps, ctx);
    verdict.candidates.push(candidate);
    if (!candidate.failed) verdict.verified.push(run.verifiedOf(ctx));
  });
  verdict.failures = failureLines(verdict.candidates);
  return verdict;
}
