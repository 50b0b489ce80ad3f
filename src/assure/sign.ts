import { createPublicKey, type KeyObject } from 'node:crypto';
import { signBytes, verifyBytes } from '../signing/signature.js';
import { simpleSigningPayload } from '../signing/simple-signing.js';
import {
  appendAttachment,
  attachmentTag,
  readAttachments,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_TYPE,
} from './attachments.js';
import { signedIdentity, type Target } from './target.js';

// cosign sign --key: a simple-signing payload naming the digest, signed, attached as ".sig".

export interface Signed {
  digest: string;
  /** Where the signature was stored: REGISTRY/REPO:sha256-<hex>.sig */
  location: string;
  dockerReference: string;
}

export async function signImage(target: Target, key: KeyObject, annotations?: Record<string, string>): Promise<Signed> {
  const dockerReference = signedIdentity(target.ref);
  const payload = simpleSigningPayload(dockerReference, target.digest, annotations);
  // ECDSA signatures differ each time: a signature is a duplicate when the same payload already verifies under this key
  const pub = createPublicKey(key);
  const existing = await readAttachments(target.client, target.ref.repository, target.digest, 'sig');
  if (
    existing.some(
      (a) => a.payload.equals(payload) && verifyBytes(pub, payload, a.annotations[SIGNATURE_ANNOTATION] ?? ''),
    )
  ) {
    return {
      digest: target.digest,
      location: `${target.client.registry}/${target.ref.repository}:${attachmentTag(target.digest, 'sig')}`,
      dockerReference,
    };
  }
  const location = await appendAttachment(target.client, target.ref.repository, target.digest, 'sig', {
    mediaType: SIMPLE_SIGNING_TYPE,
    payload,
    annotations: { [SIGNATURE_ANNOTATION]: signBytes(key, payload) },
  });
  return { digest: target.digest, location, dockerReference };
}
