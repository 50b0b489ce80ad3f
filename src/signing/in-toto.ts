import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { isDigest } from './digest.js';
import { goJson } from './go-json.js';

// in-toto Statements as cosign attests them (v0.1, field order as cosign's Go structs
// marshal them), plus cosign's vulnerability-scan predicate. v1 statements are read too.

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const PREDICATE_CYCLONEDX = 'https://cyclonedx.org/bom';
export const PREDICATE_VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';

export function makeStatement(subjectName: string, digest: string, predicateType: string, predicate: unknown): Buffer {
  if (!isDigest(digest)) throw new BulwarkError('USAGE', 'in-toto statement', `not a digest: ${digest}`);
  const [alg, hex] = digest.split(':') as [string, string];
  return Buffer.from(
    goJson({
      _type: STATEMENT_V01,
      predicateType,
      subject: [{ name: subjectName, digest: { [alg]: hex } }],
      predicate,
    }),
  );
}

export const Statement = z.object({
  _type: z.enum([STATEMENT_V01, STATEMENT_V1]),
  subject: z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) })).min(1),
  predicateType: z.string().min(1),
  predicate: z.unknown(),
});
export type Statement = z.infer<typeof Statement>;

export function parseStatement(bytes: Buffer, input: string): Statement {
  return parseJson(bytes, Statement, input);
}

/**
 * True when a subject of the statement carries this digest ("alg:hex", any algorithm): the
 * one subject check. Algorithm names and hex compare case-insensitively (in-toto writes
 * lower case; some producers do not).
 */
export function statementCovers(st: Statement, digest: string): boolean {
  const colon = digest.indexOf(':');
  if (colon <= 0 || colon === digest.length - 1) return false;
  const alg = digest.slice(0, colon).toLowerCase();
  const hex = digest.slice(colon + 1).toLowerCase();
  return st.subject.some((s) =>
    Object.entries(s.digest).some(([a, h]) => a.toLowerCase() === alg && h.toLowerCase() === hex),
  );
}

// RFC 3339 as Go's time.Time marshals it (fraction and offset optional parts).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp (as Go writes time.Time) as a Date; undefined when it is not one. */
export function parseTimestamp(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Date would roll 31 February over into March; check the fields as Go's time.Parse does.
  const daysInMonth =
    new Date(Date.UTC(2000, mo, 0)).getUTCDate() -
    (mo === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 1 : 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || sec > 59) return undefined;
  const zone = (m[8] ?? 'Z').toUpperCase();
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return undefined;
  // Date keeps milliseconds only; longer fractions are cut.
  const frac = m[7] ? m[7].slice(0, 4) : '';
  const date = new Date(`${m.slice(1, 4).join('-')}T${m.slice(4, 7).join(':')}${frac}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Go's RFC3339Nano for a Date: UTC, trailing zeros of the fraction dropped. */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'));
}

// Kept as the string written (callers compare or show it); parseTimestamp turns it into a Date.
const timestamp = z.string().refine((s) => parseTimestamp(s) !== undefined, 'not an RFC 3339 timestamp');

/** cosign's vuln predicate, read leniently except for what policies rely on. */
export const VulnPredicate = z.object({
  invocation: z
    .object({
      parameters: z.unknown(),
      uri: z.string().optional(),
      event_id: z.string().optional(),
      'builder.id': z.string().optional(),
    })
    .optional(),
  scanner: z.object({
    uri: z.string(),
    version: z.string(),
    db: z.object({ uri: z.string().optional(), version: z.string().optional() }).optional(),
    result: z.unknown(),
  }),
  metadata: z.object({ scanStartedOn: timestamp, scanFinishedOn: timestamp }),
});
export type VulnPredicate = z.infer<typeof VulnPredicate>;

export interface VulnPredicateInput {
  scannerUri: string;
  scannerVersion: string;
  dbUri?: string;
  dbVersion?: string;
  result: unknown;
  startedOn: Date;
  finishedOn: Date;
}

/** The predicate in the field order of cosign's CosignVulnPredicate struct. */
export function makeVulnPredicate(v: VulnPredicateInput): Record<string, unknown> {
  return {
    invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
    scanner: {
      uri: v.scannerUri,
      version: v.scannerVersion,
      db: { uri: v.dbUri ?? '', version: v.dbVersion ?? '' },
      result: v.result,
    },
    metadata: { scanStartedOn: goTime(v.startedOn), scanFinishedOn: goTime(v.finishedOn) },
  };
}
