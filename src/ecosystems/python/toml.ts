import { parse } from 'smol-toml';
import type { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';

/** Parses untrusted TOML against a schema; errors name the first problem in one line. */
export function parseToml<S extends z.ZodType>(text: string, schema: S, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new BulwarkError('CORRUPT', what, `invalid TOML (${first})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new BulwarkError('CORRUPT', what, `unexpected content${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
