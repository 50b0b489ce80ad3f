// JAR manifests (JAR File Specification, "Manifest specification"): "Name: value" headers,
// lines of at most 72 bytes continued on the next line after a single leading space,
// CRLF, LF or CR line ends; the main section runs up to the first blank line.

/**
 * The main section's attributes, keyed by lower-cased name (header names are case-insensitive).
 * Continuations are joined as bytes before decoding: a 72-byte split may cut a UTF-8 character.
 */
export function parseManifest(bytes: Buffer): Map<string, string> {
  const attrs = new Map<string, string>();
  const lines = bytes.toString('latin1').split(/\r\n|\r|\n/);
  const logical: string[] = [];
  for (const line of lines) {
    if (line === '') break;
    if (line.startsWith(' ') && logical.length > 0) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  for (const l of logical) {
    const text = Buffer.from(l, 'latin1').toString('utf8');
    const colon = text.indexOf(':');
    // lenient on malformed lines: a manifest is one of several identity sources, not the package database
    if (colon <= 0 || text.startsWith(' ')) continue;
    attrs.set(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
  }
  return attrs;
}

/**
 * OSGi Bundle-License: `name(;attr=value)*` separated by commas, where the name is an
 * SPDX expression or a licence URL. Commas inside quoted attribute values do not split.
 */
export function bundleLicenses(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of `${value},`) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      const name = cur.split(';')[0]!.trim().replace(/^"|"$/g, '');
      if (name && !out.includes(name)) out.push(name);
      cur = '';
    } else {
      cur += ch;
    }
  }
  return out;
}
