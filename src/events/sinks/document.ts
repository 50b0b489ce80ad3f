import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { readPrivateFile } from '../../core/private-file.js';
import { parseSinkConfig } from './index.js';
import type { SinkConfig } from './config.js';

// Sink configurations kept out of argv (where every user of the host can read them in
// /proc/<pid>/cmdline): a YAML or JSON document, `sinks: [...]` or the list itself, from a
// file only its owner may read (--sink-config) or from the environment (BULWARK_SINKS).
// Errors name the file or variable and the field, never a value.

export const SINKS_ENV = 'BULWARK_SINKS';

const Document = z.union([z.array(z.unknown()), z.strictObject({ sinks: z.array(z.unknown()) })]);

/** Parses a sink document; `input` names where it came from. */
export function parseSinkDocument(text: string, input: string): SinkConfig[] {
  let raw: unknown;
  try {
    // YAML is a superset of JSON: one parser for both
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const where =
      e instanceof Error && 'linePos' in e
        ? ` near line ${(e as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? '?'}`
        : '';
    throw new BulwarkError('USAGE', input, `not YAML or JSON${where}`);
  }
  const doc = Document.safeParse(raw);
  if (!doc.success) throw new BulwarkError('USAGE', input, 'expected a list of sinks or {sinks: [...]}');
  const list = Array.isArray(doc.data) ? doc.data : doc.data.sinks;
  return list.map((s, i) => parseSinkAt(s, `${input} sink ${i + 1}`));
}

/** One sink configuration; an error names `input` and the field (the value may be a secret). */
export function parseSinkAt(raw: unknown, input: string): SinkConfig {
  try {
    return parseSinkConfig(raw);
  } catch (e) {
    throw new BulwarkError(
      'USAGE',
      input,
      e instanceof BulwarkError ? e.message.replace(/^sink config: /, '') : 'invalid',
      { cause: e },
    );
  }
}

/** The sinks of a --sink-config file: refused when a link, or readable or writable by group or others. */
export function loadSinkConfigFile(file: string): SinkConfig[] {
  const text = readPrivateFile(file, { secret: true });
  if (text === undefined) throw new BulwarkError('NOT_FOUND', file, 'no such sink configuration file');
  return parseSinkDocument(text, file);
}

/** The sinks in BULWARK_SINKS, if set. */
export function sinksFromEnv(env: NodeJS.ProcessEnv = process.env): SinkConfig[] | undefined {
  const text = env[SINKS_ENV];
  return text === undefined || text.trim() === '' ? undefined : parseSinkDocument(text, SINKS_ENV);
}
