import { sign, verify, type KeyObject } from 'node:crypto';
import { decodeStdBase64 } from './base64.js';

// Cosign's "simple" signatures: ECDSA over SHA-256 of the payload, ASN.1 DER encoded,
// stored as standard base64 (the dev.cosignproject.cosign/signature annotation).

export function signBytes(key: KeyObject, data: Buffer): string {
  return sign('sha256', data, { key, dsaEncoding: 'der' }).toString('base64');
}

/** True when signatureB64 is a valid signature of data by key; false for anything else. */
export function verifyBytes(key: KeyObject, data: Buffer, signatureB64: string): boolean {
  const sig = typeof signatureB64 === 'string' ? decodeStdBase64(signatureB64) : undefined;
  if (!sig || sig.length === 0) return false;
  try {
    return verify('sha256', data, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}
