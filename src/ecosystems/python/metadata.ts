import { BulwarkError } from '../../core/errors.js';
// Core metadata (dist-info METADATA, egg-info PKG-INFO): RFC 822-style headers,
// continuation lines start with whitespace, the body after the first empty line
// is the long description and is not read.

export interface CoreMetadata {
  name: string;
  version: string;
  licenses: string[];
}

const HEADER = /^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*)$/;
const CLASSIFIER_LICENCE = 'License :: ';

/** Field name → values in order; repeated fields (Classifier) keep every value. */
function parseHeaders(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: { name: string; index: number } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if (line[0] === ' ' || line[0] === '\t') {
      if (!last) throw new BulwarkError('CORRUPT', 'core metadata', 'starts with a continuation line');
      const values = fields.get(last.name)!;
      values[last.index] += `\n${line.trim()}`;
      continue;
    }
    const m = HEADER.exec(line);
    // As Python's email parser does, a line that is no header ends the headers.
    if (!m) break;
    const name = m[1]!.toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(m[2]!.trim());
    fields.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return fields;
}

function single(fields: Map<string, string[]>, name: string): string | undefined {
  const v = fields.get(name)?.[0]?.trim();
  return v ? v : undefined;
}

/**
 * Licences, best source first: the SPDX License-Expression (metadata 2.4), then a
 * one-line License field, then the names in License :: classifiers. A multi-line
 * License field holds the licence text itself, not a name, and is passed over.
 */
function licencesOf(fields: Map<string, string[]>): string[] {
  const expr = single(fields, 'license-expression');
  if (expr) return [expr];
  const lic = single(fields, 'license');
  if (lic && !lic.includes('\n') && lic.toUpperCase() !== 'UNKNOWN') return [lic];
  const out: string[] = [];
  for (const c of fields.get('classifier') ?? []) {
    if (!c.startsWith(CLASSIFIER_LICENCE)) continue;
    const leaf = c.split('::').at(-1)!.trim();
    if (leaf && leaf !== 'OSI Approved' && !out.includes(leaf)) out.push(leaf);
  }
  return out;
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = parseHeaders(text);
  const name = single(fields, 'name');
  const version = single(fields, 'version');
  if (!name || !version) throw new BulwarkError('MISSING_FIELD', 'core metadata', 'no Name and Version');
  if (name.includes('\n') || version.includes('\n'))
    throw new BulwarkError('CORRUPT', 'core metadata', 'Name or Version spans lines');
  return { name, version, licenses: licencesOf(fields) };
}
