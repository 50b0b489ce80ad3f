import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

// The official SARIF 2.1.0 schema (draft-07), stored verbatim in src/report/fixtures; ajv with the
// formats it uses (uri, uri-reference, date-time) checked, not ignored. Returns the errors, or null.

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'src', 'report', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'),
) as object;
const ajv = new Ajv({ allErrors: true });
addFormats.default(ajv);
const sarif = ajv.compile(schema);

export function sarifErrors(doc: unknown): unknown {
  return sarif(doc) ? null : sarif.errors;
}
