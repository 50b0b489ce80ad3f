import { BulwarkError } from '../../core/errors.js';
import type { PyPackage } from './package.js';

// pip requirements files declare; only exact pins (name==version) name a version.
// Options (-r, -c, -e, --index-url …), URLs, ranges and unpinned names are passed
// over without error: they are legitimate lines that simply pin nothing.

const PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9!+._-]*)$/;

/** Logical lines: backslash-continued lines joined, comments removed. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out.map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter((l) => l !== '');
}

export function parseRequirements(text: string): PyPackage[] {
  if (text.includes('\0')) throw new BulwarkError('UNKNOWN_FORMAT', 'requirements file', 'not a text file');
  const out: PyPackage[] = [];
  const seen = new Set<string>();
  for (const line of logicalLines(text)) {
    if (line.startsWith('-')) continue;
    // environment markers and per-requirement options (--hash=…) follow the pin;
    // tokens rather than one regex, which would backtrack on long runs of spaces
    const words = line.split(';')[0]!.trim().split(/\s+/);
    const opt = words.findIndex((w) => w.startsWith('-'));
    const spec = (opt < 0 ? words : words.slice(0, opt)).join(' ');
    const m = PIN.exec(spec);
    if (!m) continue;
    const key = `${m[1]}@${m[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: m[1]!, version: m[2]! });
  }
  return out;
}
