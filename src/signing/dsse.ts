import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseJson } from '../core/json.js';
import { decodeAnyBase64 } from './base64.js';
import { signBytes, verifyBytes } from './signature.js';

// DSSE v1 envelopes (what cosign attestations are wrapped in). Signatures cover the
// pre-authentication encoding (PAE) of type and payload, never the payload alone, so a
// payload cannot be replayed under another type.

/** PAE = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as decimal byte counts. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

// The spec allows standard or URL-safe base64 in payload and sig; cosign writes standard.
const b64 = z.string().refine((s) => decodeAnyBase64(s) !== undefined, 'not base64');

export const Envelope = z.object({
  payloadType: z.string(),
  payload: b64,
  signatures: z.array(z.object({ keyid: z.string().optional(), sig: b64 })).min(1),
});
export type Envelope = z.infer<typeof Envelope>;

export function signEnvelope(payloadType: string, payload: Buffer, key: KeyObject): Envelope {
  // cosign leaves keyid empty for key-pair signatures.
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: '', sig: signBytes(key, pae(payloadType, payload)) }],
  };
}

export function parseEnvelope(bytes: Buffer, input: string): Envelope {
  return parseJson(bytes, Envelope, input);
}

/** The payload when any signature verifies over the PAE with key; undefined otherwise. */
export function verifyEnvelope(env: Envelope, key: KeyObject): Buffer | undefined {
  const payload = decodeAnyBase64(env.payload);
  if (!payload) return undefined;
  const signed = pae(env.payloadType, payload);
  for (const s of env.signatures) {
    const sig = decodeAnyBase64(s.sig);
    // verifyBytes takes standard base64; re-encode whatever alphabet the writer used.
    if (sig && verifyBytes(key, signed, sig.toString('base64'))) return payload;
  }
  return undefined;
}
