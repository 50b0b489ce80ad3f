import { openRegistryImage } from '../image/registry.js';
import type { Platform } from '../image/platform.js';
import type { RegistryOptions } from '../registry/client.js';
import { repositoryName } from '../registry/reference.js';
import type { ImageFacts } from '../policy/facts.js';
import { newestAttestedScan } from './attested-scan.js';
import { referenceFacts } from './reference-facts.js';
import {
  checkFacts,
  scanFacts,
  scanForAssurance,
  type AssuranceScanOptions,
  type CheckFacts,
  type ScanFacts,
} from './image-scan.js';
import type { PipelineChecks } from '../pipeline/pipeline.js';
import type { NamedKey } from './keys.js';
import { resolveTarget } from './target.js';
import { verifyAttestations } from './verify-attestation.js';
import { verifySignatures } from './verify.js';

// Everything a policy asks about an image in a registry: its digest and layers, which of
// the policy's keys signed and attested it, and its vulnerabilities — from the newest
// verified vulnerability attestation by a key the policy trusts for it (its scan time is
// what scan age means), else from a scan run now.

export interface GatherOptions extends RegistryOptions {
  /** Secret and misconfiguration checks to run when scanning now (a policy with a checks rule). */
  checks?: PipelineChecks;
  keys: NamedKey[];
  /** Names of the keys whose vulnerability attestations count (see vulnAttestationKeys). */
  vulnKeys: readonly string[];
  /** Scan the image now when no verified vulnerability attestation exists. */
  scanWhenUnattested: boolean;
  scan: AssuranceScanOptions;
  platform?: Platform;
}

export interface GatheredFacts {
  facts: ImageFacts;
  /** How the facts were found, one line each, for the user. */
  notes: string[];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

export async function gatherFacts(reference: string, o: GatherOptions): Promise<GatheredFacts> {
  const target = await resolveTarget(reference, o);
  const notes: string[] = [];
  try {
    const sigs =
      o.keys.length > 0 ? await verifySignatures(target, o.keys) : { verified: [], failures: [], candidates: [] };
    const atts =
      o.keys.length > 0 ? await verifyAttestations(target, o.keys) : { verified: [], failures: [], candidates: [] };
    notes.push(...sigs.failures, ...atts.failures);
    const byType = new Map<string, string[]>();
    for (const a of atts.verified) byType.set(a.predicateType, unique([...(byType.get(a.predicateType) ?? []), a.key]));

    const image = await openRegistryImage(`${repositoryName(target.ref)}@${target.digest}`, {
      ...o,
      ...(o.platform ? { platform: o.platform } : {}),
    });
    let scan: ScanFacts | undefined;
    let checks: CheckFacts | undefined;
    try {
      const attested = newestAttestedScan(atts.verified, o.vulnKeys);
      scan = attested?.scan;
      checks = attested?.checks;
      if (scan) notes.push(`vulnerabilities: from the attested scan of ${scan.finishedAt}`);
      if ((!scan || (o.checks && !checks)) && o.scanWhenUnattested) {
        const now = await scanForAssurance(image, { ...o.scan, ...(o.checks ? { checks: o.checks } : {}) });
        if (!scan) {
          scan = scanFacts(now);
          notes.push(
            scan
              ? 'vulnerabilities: no verified vulnerability attestation; scanned now'
              : 'vulnerabilities: no attestation and no vulnerability DB to scan with',
          );
        }
        checks ??= checkFacts(now);
      }
    } finally {
      await image.close();
    }
    const facts: ImageFacts = {
      ...referenceFacts(target.ref),
      digest: target.digest,
      layers: image.config.rootfs.diff_ids,
      signatures: { keys: unique(sigs.verified.map((s) => s.key)) },
      attestations: [...byType].map(([predicateType, keys]) => ({ predicateType, keys })),
      ...(scan ? { scan } : {}),
      ...(checks ? { checks } : {}),
    };
    return { facts, notes };
  } finally {
    target.client.close();
  }
}
