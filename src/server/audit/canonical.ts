import { createHash } from 'node:crypto';

// Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, undefined members
// dropped; so the same value always hashes the same, whatever order its keys were built in.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a JSON number: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

/** The fields an audit entry's hash covers. */
export interface AuditHashInput {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: unknown;
  remote: string | null;
  prevHash: string;
}

/** Hex SHA-256 over the canonical JSON of the entry (its prevHash chains it to the one before). */
export function auditHash(entry: AuditHashInput): string {
  return createHash('sha256').update(canonicalJson(entry), 'utf8').digest('hex');
}
