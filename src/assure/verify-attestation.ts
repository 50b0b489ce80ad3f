import { parseEnvelope, verifyEnvelope, type Envelope } from '../signing/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, statementCovers, type Statement } from '../signing/in-toto.js';
import { DSSE_TYPE } from './attachments.js';
import type { NamedKey } from './keys.js';
import type { Target } from './target.js';
import { failStep, verifyStored, type CandidateContext, type Step, type Verification } from './verify-steps.js';

// cosign verify-attestation --key: each ".att" envelope must verify under a given key and
// carry an in-toto statement whose subject is this digest (and, when asked, of this type).

export interface VerifiedAttestation {
  key: string;
  predicateType: string;
  predicate: unknown;
}

/** In order; an attestation fails at the first that does not hold. */
export const ATTESTATION_STEPS = [
  'fetch',
  'media type',
  'parse envelope',
  'payload type',
  'check signature',
  'parse statement',
  'subject digest',
  'predicate type',
] as const;
type AttestationStep = (typeof ATTESTATION_STEPS)[number];

export type AttestationVerdict = Verification<AttestationStep, VerifiedAttestation>;

interface Ctx extends CandidateContext {
  predicateType: string | undefined;
  envelope?: Envelope;
  signer?: NamedKey;
  payload?: Buffer;
  statement?: Statement;
}

const STEPS: Step<AttestationStep, Ctx>[] = [
  [
    'media type',
    (c) => {
      if (c.found.mediaType !== DSSE_TYPE)
        failStep('WRONG_TYPE', c.name, `media type ${c.found.mediaType} is not a DSSE envelope`);
    },
  ],
  [
    'parse envelope',
    (c) => {
      c.envelope = parseEnvelope(c.found.payload, `${c.target.input} ${c.name}`);
    },
  ],
  [
    'payload type',
    (c) => {
      if (c.envelope!.payloadType !== IN_TOTO_PAYLOAD_TYPE)
        failStep('WRONG_TYPE', c.name, `payload type ${c.envelope!.payloadType} is not an in-toto statement`);
    },
  ],
  [
    'check signature',
    (c) => {
      c.signer = c.keys.find((k) => (c.payload = verifyEnvelope(c.envelope!, k.key)) !== undefined);
      if (!c.signer || !c.payload)
        failStep(
          'BAD_SIGNATURE',
          c.name,
          `not signed by ${c.keys.map((k) => k.name).join(', ')} (or the statement was altered)`,
        );
    },
  ],
  [
    'parse statement',
    (c) => {
      c.statement = parseStatement(c.payload!, `${c.target.input} ${c.name}`);
    },
  ],
  [
    'subject digest',
    (c) => {
      if (!statementCovers(c.statement!, c.target.digest))
        failStep('SUBJECT_MISMATCH', c.name, `its subject is not this image (${c.target.digest})`);
    },
  ],
  [
    'predicate type',
    (c) => {
      if (c.predicateType && c.statement!.predicateType !== c.predicateType)
        failStep('WRONG_TYPE', c.name, `predicate type ${c.statement!.predicateType}, not ${c.predicateType}`);
    },
  ],
];

export async function verifyAttestations(
  target: Target,
  keys: NamedKey[],
  predicateType?: string,
): Promise<AttestationVerdict> {
  const verdict = await verifyStored(target, keys, 'att', {
    fetch: 'fetch',
    steps: STEPS,
    context: (base): Ctx => ({ ...base, predicateType }),
    verifiedOf: (c) => ({
      key: c.signer!.name,
      predicateType: c.statement!.predicateType,
      predicate: c.statement!.predicate,
    }),
  });
  if (predicateType && verdict.verified.length === 0 && verdict.candidates.some((c) => c.failed?.step !== 'fetch'))
    verdict.failures.push(`no verified attestation of type ${predicateType}`);
  return verdict;
}
