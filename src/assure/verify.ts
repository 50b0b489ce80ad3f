import { isBulwarkError } from '../core/errors.js';
import { parseReference, repositoryName } from '../registry/reference.js';
import { verifyBytes } from '../signing/signature.js';
import { parseSimpleSigning } from '../signing/simple-signing.js';
import { attachmentTag, readAttachments, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_TYPE } from './attachments.js';
import type { NamedKey } from './keys.js';
import type { Target } from './target.js';

// cosign verify --key: each ".sig" layer must verify under a given key, and its payload must
// name this very digest and this repository. A signature that fails says why; the image is
// verified when at least one signature holds.

export interface VerifiedSignature {
  key: string;
  dockerReference: string;
  optional: Record<string, unknown> | null;
}

export interface SignatureVerdict {
  digest: string;
  verified: VerifiedSignature[];
  /** One line per signature that did not hold (or for none found). */
  failures: string[];
}

function sameRepository(a: string, b: string): boolean {
  try {
    return repositoryName(parseReference(a)) === repositoryName(parseReference(b));
  } catch {
    return false;
  }
}

/**
 * `identity` is the repository the signatures must name (default: the image's own); a
 * mirror verifies its copies against the repository they were signed in.
 */
export async function verifySignatures(target: Target, keys: NamedKey[], identity = repositoryName(target.ref)): Promise<SignatureVerdict> {
  const found = await readAttachments(target.client, target.ref.repository, target.digest, 'sig');
  const verdict: SignatureVerdict = { digest: target.digest, verified: [], failures: [] };
  if (found.length === 0) verdict.failures.push(`no signatures: ${attachmentTag(target.digest, 'sig')} does not exist`);
  found.forEach((a, i) => {
    const n = `signature ${i + 1}`;
    const sig = a.annotations[SIGNATURE_ANNOTATION];
    if (a.mediaType !== SIMPLE_SIGNING_TYPE) return void verdict.failures.push(`${n}: media type ${a.mediaType} is not a simple-signing payload`);
    if (!sig) return void verdict.failures.push(`${n}: no ${SIGNATURE_ANNOTATION} annotation`);
    const signer = keys.find((k) => verifyBytes(k.key, a.payload, sig));
    if (!signer) return void verdict.failures.push(`${n}: not signed by ${keys.length === 1 ? `the key ${keys[0]!.name}` : `any of the keys ${keys.map((k) => k.name).join(', ')}`} (or the payload was altered)`);
    let payload;
    try {
      payload = parseSimpleSigning(a.payload, `${target.input} ${n}`);
    } catch (e) {
      return void verdict.failures.push(`${n}: ${isBulwarkError(e) ? e.message : String(e)}`);
    }
    if (payload.manifestDigest !== target.digest) return void verdict.failures.push(`${n}: signed for ${payload.manifestDigest}, not for this image (${target.digest})`);
    if (!sameRepository(payload.dockerReference, identity)) return void verdict.failures.push(`${n}: signed for ${payload.dockerReference}, not for repository ${identity}`);
    verdict.verified.push({ key: signer.name, dockerReference: payload.dockerReference, optional: payload.optional });
  });
  return verdict;
}
