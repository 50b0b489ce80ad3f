import type { KeyObject } from 'node:crypto';
import { BulwarkError } from '../core/errors.js';
import type { Severity } from '../core/types.js';
import type { OpenedImage } from '../image/image.js';
import { evaluate, type Verdict } from '../policy/evaluate.js';
import type { ImageFacts } from '../policy/facts.js';
import type { Policy } from '../policy/schema.js';
import { RegistryClient, type RegistryOptions } from '../registry/client.js';
import { parseReference, repositoryName } from '../registry/reference.js';
import { PREDICATE_CYCLONEDX, PREDICATE_VULN } from '../signing/in-toto.js';
import { attestImage } from './attest.js';
import {
  checkFacts,
  policyCheckOptions,
  sbomPredicate,
  scanFacts,
  scanForAssurance,
  vulnPredicate,
  type AssuranceScanOptions,
  type ImageScan,
} from './image-scan.js';
import { namesOf, policyKeys } from './keys.js';
import { planPush, pushPlan } from './push-image.js';
import { referenceFacts } from './reference-facts.js';
import { signImage, type Signed } from './sign.js';

// The gate in front of the registry: scan, judge, and only then push, sign and attest.
// A refused image sends nothing to the registry.

export interface PushOptions {
  registry: RegistryOptions;
  scan: AssuranceScanOptions;
  policy?: Policy;
  /** Refuse when an open finding is at or above this severity. */
  failOn?: Severity;
  /** The severity unrated findings count as for failOn; default UNKNOWN (ranked lowest). */
  unknownAs?: Severity;
  /** Sign and attest (SBOM and vulnerabilities) with this key after pushing. */
  key?: KeyObject;
}

export interface PushOutcome {
  destination: string;
  digest: string;
  scan: ImageScan;
  verdict?: Verdict;
  /** Why the push was refused; empty when it went ahead. */
  refusals: string[];
  pushed: boolean;
  signed?: Signed;
  attestations: string[];
}

/** The facts of the image as it will be once pushed (and signed and attested, with a key). */
function factsBeforePush(
  image: OpenedImage,
  dest: string,
  digest: string,
  scan: ImageScan,
  o: PushOptions,
): ImageFacts {
  const signers = o.key && o.policy ? namesOf(policyKeys(o.policy.keys, o.policy.source), o.key) : [];
  const s = scanFacts(scan);
  const checks = checkFacts(scan);
  return {
    ...referenceFacts(dest),
    digest,
    layers: image.config.rootfs.diff_ids,
    signatures: { keys: signers },
    attestations: signers.length
      ? [PREDICATE_CYCLONEDX, ...(s ? [PREDICATE_VULN] : [])].map((predicateType) => ({ predicateType, keys: signers }))
      : [],
    ...(s ? { scan: s } : {}),
    ...(checks ? { checks } : {}),
  };
}

export async function pushWithGate(image: OpenedImage, dest: string, o: PushOptions): Promise<PushOutcome> {
  const ref = parseReference(dest);
  if (ref.digest) throw new BulwarkError('USAGE', dest, "push to a tag: the digest is the image's own");
  const tag = ref.tag ?? 'latest';
  const gate = o.failOn ? { gate: { failOn: o.failOn, ...(o.unknownAs ? { unknownAs: o.unknownAs } : {}) } } : {};
  const scan = await scanForAssurance(image, {
    ...o.scan,
    ...gate,
    ...(o.policy?.checks ? { checks: policyCheckOptions(o.policy.checks) } : {}),
  });
  const plan = await planPush(image);
  const outcome: PushOutcome = {
    destination: `${repositoryName(ref)}:${tag}`,
    digest: plan.digest,
    scan,
    refusals: [],
    pushed: false,
    attestations: [],
  };
  if (o.policy) {
    const verdict = evaluate(o.policy, factsBeforePush(image, dest, plan.digest, scan, o));
    // a push creates the digest; how workloads must reference it is admission's business
    verdict.violations = verdict.violations.filter((v) => v.rule !== 'require-digest');
    verdict.allowed = verdict.violations.length === 0;
    outcome.verdict = verdict;
    outcome.refusals.push(...verdict.violations.map((v) => `[${v.rule}] ${v.message}`));
  }
  if (o.failOn) {
    if (!scan.report.vulnerabilities)
      outcome.refusals.push(`[fail-on] no vulnerability database to check against ${o.failOn}`);
    else {
      const bad = scan.verdict.findings;
      if (bad.length)
        outcome.refusals.push(
          `[fail-on] ${bad.length} vulnerabilit${bad.length === 1 ? 'y' : 'ies'} at ${o.failOn} or above: ${[...new Set(bad.map((f) => f.id))].slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`,
        );
    }
  }
  if (outcome.refusals.length) return outcome;

  const client = await RegistryClient.create(ref.registry, o.registry);
  try {
    await pushPlan(plan, client, ref.repository, tag);
    outcome.pushed = true;
    if (o.key) {
      const target = { client, ref: { ...ref, tag }, digest: plan.digest, input: outcome.destination };
      outcome.signed = await signImage(target, o.key);
      outcome.attestations.push(await attestImage(target, o.key, PREDICATE_CYCLONEDX, sbomPredicate(scan)));
      const vulns = vulnPredicate(scan);
      if (vulns) outcome.attestations.push(await attestImage(target, o.key, PREDICATE_VULN, vulns));
    }
  } finally {
    client.close();
  }
  return outcome;
}
