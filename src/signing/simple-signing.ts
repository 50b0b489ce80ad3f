import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { DIGEST, isDigest } from './digest.js';
import { goJson } from './go-json.js';

// The "simple signing" payload that cosign signs and stores beside its signature, and that
// containers/image (skopeo, podman) signs for sigstore signatures:
//   {"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
//    "type":"cosign container image signature"},"optional":O}
// Key names are matched exactly (cosign and containers/image both emit lowercase); extra
// fields are tolerated because cosign's reader tolerates them.

const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export interface SimpleSigning {
  dockerReference: string;
  manifestDigest: string;
  type: string;
  optional: Record<string, unknown> | null;
}

/** The payload bytes, laid out as cosign's Go code marshals them (so the bytes match too). */
export function simpleSigningPayload(
  dockerReference: string,
  manifestDigest: string,
  optional?: Record<string, string>,
): Buffer {
  if (dockerReference === '') throw new BulwarkError('USAGE', 'simple signing payload', 'empty docker reference');
  if (!isDigest(manifestDigest))
    throw new BulwarkError('USAGE', 'simple signing payload', `not a manifest digest: ${manifestDigest}`);
  // Go writes map keys sorted; JSON.stringify keeps insertion order, so sort here.
  const opt =
    optional === undefined
      ? null
      : Object.fromEntries(
          Object.keys(optional)
            .sort()
            .map((k) => [k, optional[k]]),
        );
  return Buffer.from(
    goJson({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': manifestDigest },
        type: SIMPLE_SIGNING_TYPE,
      },
      optional: opt,
    }),
  );
}

const Payload = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string().min(1) }),
    image: z.object({ 'docker-manifest-digest': z.string().regex(DIGEST, 'not a manifest digest') }),
    type: z.literal(SIMPLE_SIGNING_TYPE),
  }),
  optional: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** Reads a payload from an untrusted signature; verify its signature before trusting it. */
export function parseSimpleSigning(bytes: Buffer, input: string): SimpleSigning {
  const p = parseJson(bytes, Payload, input);
  return {
    dockerReference: p.critical.identity['docker-reference'],
    manifestDigest: p.critical.image['docker-manifest-digest'],
    type: p.critical.type,
    optional: p.optional ?? null,
  };
}
