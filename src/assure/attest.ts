import type { KeyObject } from 'node:crypto';
import { signEnvelope } from '../signing/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, makeStatement } from '../signing/in-toto.js';
import { repositoryName } from '../registry/reference.js';
import { appendAttachment, DSSE_TYPE, SIGNATURE_ANNOTATION } from './attachments.js';
import type { Target } from './target.js';

// cosign attest --key: an in-toto statement about the digest, in a signed DSSE envelope,
// attached as ".att" with its predicate type in the annotations (the signature lives in
// the envelope, so cosign's signature annotation is present and empty).

export async function attestImage(
  target: Target,
  key: KeyObject,
  predicateType: string,
  predicate: unknown,
): Promise<string> {
  const statement = makeStatement(repositoryName(target.ref), target.digest, predicateType, predicate);
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, key);
  return appendAttachment(target.client, target.ref.repository, target.digest, 'att', {
    mediaType: DSSE_TYPE,
    payload: Buffer.from(JSON.stringify(envelope)),
    annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
  });
}
