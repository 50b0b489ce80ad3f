import { z } from 'zod';
import { parseJson } from '../core/json.js';

// OSV records (https://ossf.github.io/osv-schema/). Unknown fields pass through (the
// schema grows); the fields matching reads (ids, timestamps, packages, ranges, events)
// are checked as the schema's JSON Schema states them, so the matcher can trust them.

/** The schema allows null for several lists; null is read as absent. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === null ? undefined : v), z.array(item).optional());

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp');
const object = z.record(z.string(), z.unknown());
const nonEmpty = z.string().min(1);

const severitySchema = z.looseObject({
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, or a type added later. */
  type: nonEmpty,
  score: z.string(),
});

// exactly one key per event, as the schema's oneOf requires
const eventSchema = z.union([
  z.strictObject({ introduced: nonEmpty }),
  z.strictObject({ fixed: nonEmpty }),
  z.strictObject({ last_affected: nonEmpty }),
  z.strictObject({ limit: nonEmpty }),
]);

const rangeSchema = z
  .looseObject({
    type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
    repo: z.string().optional(),
    events: z.array(eventSchema).min(1),
    database_specific: object.optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.events.some((e) => 'introduced' in e))
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'no introduced event' });
    if (r.events.some((e) => 'fixed' in e) && r.events.some((e) => 'last_affected' in e)) {
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'both fixed and last_affected events' });
    }
    if (r.type === 'GIT' && !r.repo)
      ctx.addIssue({ code: 'custom', path: ['repo'], message: 'GIT range without repo' });
  });

const affectedSchema = z.looseObject({
  // optional in the schema: a GIT-only entry may name no package (it is then not indexed)
  package: z.looseObject({ ecosystem: nonEmpty, name: nonEmpty, purl: z.string().optional() }).optional(),
  severity: list(severitySchema),
  ranges: list(rangeSchema),
  versions: list(z.string()),
  ecosystem_specific: object.optional(),
  database_specific: object.optional(),
});

export const osvRecordSchema = z.looseObject({
  schema_version: z.string().optional(),
  // ids appear in one-line messages and reports: printable ASCII, no spaces
  id: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'not an advisory id'),
  modified: timestamp,
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: list(z.string()),
  upstream: list(z.string()),
  related: list(z.string()),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: list(severitySchema),
  affected: list(affectedSchema),
  references: list(z.looseObject({ type: z.string(), url: z.string() })),
  credits: list(z.looseObject({ name: z.string() })),
  database_specific: object.optional(),
});

export type OsvRecord = z.infer<typeof osvRecordSchema>;
export type OsvAffected = z.infer<typeof affectedSchema>;

/** Parses one untrusted OSV JSON record; errors are BulwarkErrors naming `input`. */
export function parseOsvRecord(bytes: Buffer | string, input: string): OsvRecord {
  return parseJson(bytes, osvRecordSchema, input);
}
