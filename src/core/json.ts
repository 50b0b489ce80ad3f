import type { z } from 'zod';
import { BulwarkError } from './errors.js';

/** Parses untrusted JSON against a schema; errors name the input and the first problem. */
export function parseJson<S extends z.ZodType>(bytes: Buffer | string, schema: S, input: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (e) {
    // V8 quotes the input around the fault, line breaks and all: errors stay one line
    throw new BulwarkError(
      'CORRUPT',
      input,
      `invalid JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ')})`,
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new BulwarkError(
      'CORRUPT',
      input,
      `unexpected content${where}: ${(issue?.message ?? 'invalid').replace(/\s+/g, ' ')}`,
    );
  }
  return r.data;
}
