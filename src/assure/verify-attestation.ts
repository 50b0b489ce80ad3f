import { isBulwarkError } from '../core/errors.js';
import { parseEnvelope, verifyEnvelope } from '../signing/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, statementCovers } from '../signing/in-toto.js';
import { attachmentTag, DSSE_TYPE, readAttachments } from './attachments.js';
import type { NamedKey } from './keys.js';
import type { Target } from './target.js';

// cosign verify-attestation --key: each ".att" envelope must verify under a given key and
// carry an in-toto statement whose subject is this digest.

export interface VerifiedAttestation {
  key: string;
  predicateType: string;
  predicate: unknown;
}

export interface AttestationVerdict {
  digest: string;
  verified: VerifiedAttestation[];
  failures: string[];
}

export async function verifyAttestations(target: Target, keys: NamedKey[], predicateType?: string): Promise<AttestationVerdict> {
  const found = await readAttachments(target.client, target.ref.repository, target.digest, 'att');
  const verdict: AttestationVerdict = { digest: target.digest, verified: [], failures: [] };
  if (found.length === 0) verdict.failures.push(`no attestations: ${attachmentTag(target.digest, 'att')} does not exist`);
  found.forEach((a, i) => {
    const n = `attestation ${i + 1}`;
    if (a.mediaType !== DSSE_TYPE) return void verdict.failures.push(`${n}: media type ${a.mediaType} is not a DSSE envelope`);
    try {
      const envelope = parseEnvelope(a.payload, `${target.input} ${n}`);
      if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return void verdict.failures.push(`${n}: payload type ${envelope.payloadType} is not an in-toto statement`);
      let payload: Buffer | undefined;
      const signer = keys.find((k) => (payload = verifyEnvelope(envelope, k.key)) !== undefined);
      if (!signer || !payload) return void verdict.failures.push(`${n}: not signed by ${keys.map((k) => k.name).join(', ')} (or the statement was altered)`);
      const statement = parseStatement(payload, `${target.input} ${n}`);
      if (!statementCovers(statement, target.digest)) return void verdict.failures.push(`${n}: its subject is not this image (${target.digest})`);
      if (predicateType && statement.predicateType !== predicateType) return;
      verdict.verified.push({ key: signer.name, predicateType: statement.predicateType, predicate: statement.predicate });
    } catch (e) {
      if (!isBulwarkError(e)) throw e;
      verdict.failures.push(`${n}: ${e.message}`);
    }
  });
  if (predicateType && verdict.verified.length === 0 && found.length > 0) verdict.failures.push(`no verified attestation of type ${predicateType}`);
  return verdict;
}
