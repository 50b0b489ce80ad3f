import { BulwarkError } from '../../core/errors.js';
// Debian control-file paragraphs (dpkg status, status.d entries): "Field: value"
// lines, continuation lines starting with a space or tab, paragraphs split by blank lines.

export type Paragraph = Record<string, string>;

// field names are the file's text: a paragraph has no inherited keys
const paragraph = (): Paragraph => Object.create(null) as Paragraph;

export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let cur: Paragraph = paragraph();
  let field: string | undefined;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      if (Object.keys(cur).length > 0) out.push(cur);
      cur = paragraph();
      field = undefined;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (field === undefined) throw new BulwarkError('CORRUPT', `line ${lineNo}`, 'continuation line outside a field');
      cur[field] += `\n${line.slice(1)}`;
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BulwarkError('CORRUPT', `line ${lineNo}`, 'expected "Field: value"');
    field = line.slice(0, colon);
    cur[field] = line.slice(colon + 1).trim();
  }
  if (Object.keys(cur).length > 0) out.push(cur);
  return out;
}
