import type { Policy } from '../policy/schema.js';
import { parseTimestamp, PREDICATE_VULN, VulnPredicate } from '../signing/in-toto.js';
import { attestedChecks, attestedFindings, type CheckFacts, type ScanFacts } from './image-scan.js';
import type { VerifiedAttestation } from './verify-attestation.js';

// Which verified vulnerability attestation a policy takes its findings from: one signed by
// a key its rule names (a key trusted for signatures alone must not vouch for a scan), the
// newest by its parsed finish time (RFC 3339 with offsets does not sort as text).

/**
 * Names of the keys whose vulnerability attestations count: those named by the policy's
 * attestation rules for the vulnerability predicate; without such a rule, every key of the
 * policy (what such a rule names by default).
 */
export function vulnAttestationKeys(policy: Pick<Policy, 'keys' | 'attestations'>): string[] {
  const rules = policy.attestations.filter((a) => a.predicateType === PREDICATE_VULN);
  return rules.length > 0 ? [...new Set(rules.flatMap((a) => a.keys))] : [...policy.keys.keys()];
}

export interface AttestedScan {
  scan: ScanFacts;
  checks?: CheckFacts;
}

/** The newest usable vulnerability attestation signed by an accepted key; undefined when none. */
export function newestAttestedScan(
  verified: readonly VerifiedAttestation[],
  accepted: readonly string[],
): AttestedScan | undefined {
  let best: { at: number; found: AttestedScan } | undefined;
  for (const a of verified) {
    if (a.predicateType !== PREDICATE_VULN || !accepted.includes(a.key)) continue;
    const p = VulnPredicate.safeParse(a.predicate);
    if (!p.success) continue;
    const finished = parseTimestamp(p.data.metadata.scanFinishedOn);
    if (!finished) continue;
    const scan = attestedFindings(p.data.scanner.result, finished.toISOString());
    if (!scan || (best && best.at >= finished.getTime())) continue;
    const checks = attestedChecks(p.data.scanner.result);
    best = { at: finished.getTime(), found: { scan, ...(checks ? { checks } : {}) } };
  }
  return best?.found;
}
