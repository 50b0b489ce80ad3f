import { BulwarkError } from '../../core/errors.js';

// Every time the store keeps is an ISO-8601 UTC string with milliseconds: fixed width, so text
// order is time order in SQLite and PostgreSQL alike.

export function isoNow(): string {
  return new Date().toISOString();
}

/** `t` (ISO text, epoch ms or a Date) in the store's form; refuses what is not a time. */
export function toIso(t: string | number | Date): string {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) throw new BulwarkError('USAGE', String(t), 'not a time (ISO-8601 or epoch ms)');
  return d.toISOString();
}

export function isoPlus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
