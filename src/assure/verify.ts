import { parseReference, repositoryName } from '../registry/reference.js';
import { verifyBytes } from '../signing/signature.js';
import { parseSimpleSigning, type SimpleSigning } from '../signing/simple-signing.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_TYPE } from './attachments.js';
import type { NamedKey } from './keys.js';
import type { Target } from './target.js';
import { failStep, verifyStored, type CandidateContext, type Step, type Verification } from './verify-steps.js';

// cosign verify --key: each ".sig" layer must verify under a given key, and its payload must
// name this very digest and this repository. A signature that fails says at which step and
// why; the image is verified when at least one signature holds.

interface VerifiedSignature {
  key: string;
  dockerReference: string;
  optional: Record<string, unknown> | null;
}

/** In order; a signature fails at the first that does not hold. */
export const SIGNATURE_STEPS = [
  'fetch',
  'media type',
  'check signature',
  'parse payload',
  'subject digest',
  'identity',
] as const;
type SignatureStep = (typeof SIGNATURE_STEPS)[number];

export type SignatureVerdict = Verification<SignatureStep, VerifiedSignature>;

interface Ctx extends CandidateContext {
  identity: string;
  signer?: NamedKey;
  payload?: SimpleSigning;
}

function sameRepository(a: string, b: string): boolean {
  try {
    return repositoryName(parseReference(a)) === repositoryName(parseReference(b));
  } catch {
    return false;
  }
}

function keysNamed(keys: NamedKey[]): string {
  return keys.length === 1 ? `the key ${keys[0]!.name}` : `any of the keys ${keys.map((k) => k.name).join(', ')}`;
}

const STEPS: Step<SignatureStep, Ctx>[] = [
  [
    'media type',
    (c) => {
      if (c.found.mediaType !== SIMPLE_SIGNING_TYPE)
        failStep('WRONG_TYPE', c.name, `media type ${c.found.mediaType} is not a simple-signing payload`);
    },
  ],
  [
    'check signature',
    (c) => {
      const sig = c.found.annotations[SIGNATURE_ANNOTATION];
      if (!sig) failStep('NOT_SIGNED', c.name, `no ${SIGNATURE_ANNOTATION} annotation`);
      c.signer =
        c.keys.find((k) => verifyBytes(k.key, c.found.payload, sig)) ??
        failStep('BAD_SIGNATURE', c.name, `not signed by ${keysNamed(c.keys)} (or the payload was altered)`);
    },
  ],
  [
    'parse payload',
    (c) => {
      c.payload = parseSimpleSigning(c.found.payload, `${c.target.input} ${c.name}`);
    },
  ],
  [
    'subject digest',
    (c) => {
      if (c.payload!.manifestDigest !== c.target.digest)
        failStep(
          'SUBJECT_MISMATCH',
          c.name,
          `signed for ${c.payload!.manifestDigest}, not for this image (${c.target.digest})`,
        );
    },
  ],
  [
    'identity',
    (c) => {
      if (!sameRepository(c.payload!.dockerReference, c.identity))
        failStep(
          'IDENTITY_MISMATCH',
          c.name,
          `signed for ${c.payload!.dockerReference}, not for repository ${c.identity}`,
        );
    },
  ],
];

/**
 * `identity` is the repository the signatures must name (default: the image's own); a
 * mirror verifies its copies against the repository they were signed in.
 */
export async function verifySignatures(
  target: Target,
  keys: NamedKey[],
  identity = repositoryName(target.ref),
): Promise<SignatureVerdict> {
  return verifyStored(target, keys, 'sig', {
    fetch: 'fetch',
    steps: STEPS,
    context: (base): Ctx => ({ ...base, identity }),
    verifiedOf: (c) => ({
      key: c.signer!.name,
      dockerReference: c.payload!.dockerReference,
      optional: c.payload!.optional,
    }),
  });
}
