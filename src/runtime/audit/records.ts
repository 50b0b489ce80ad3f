import { StringDecoder } from 'node:string_decoder';

// Linux audit records in auditd's text form, and their grouping into events.
//
//   type=SYSCALL msg=audit(1732345678.123:4567): arch=c000003e syscall=59 … key="bulwark-exec"
//
// Also accepted: a `node=host ` prefix (auditd's name_format), numeric types and a missing
// `msg=` (the kernel's own printk form: `audit: type=1300 audit(…): …`), and auditd's
// "enriched" tail: the interpreted fields after a 0x1d byte, kept unparsed.
// One event is every record with the same `audit(time:serial)`; it ends at its EOE record, or
// at PROCTITLE (always the last record of a syscall event before EOE; auditd's log file has
// no EOE), or when nothing more has come for it within a timeout.
// Nothing here throws on input: a line that is not a record is counted and skipped.

export interface AuditRecord {
  /** SYSCALL, EXECVE, PATH, …; a numeric type the table does not know is `UNKNOWN[n]`. */
  type: string;
  /** Milliseconds since the epoch (the kernel's clock when the event began). */
  time: number;
  serial: number;
  /** `sec.ms:serial` as written: the identity of the event the record belongs to. */
  id: string;
  /** Values as written: "quoted", 'single-quoted', hex-encoded or bare. See fieldString(). */
  fields: Map<string, string>;
  /** From a `node=` prefix. */
  node?: string;
  /** auditd's interpreted fields after the 0x1d separator, unparsed. */
  enriched?: string;
}

export interface AuditEvent {
  serial: number;
  time: Date;
  /** `sec.ms:serial`. */
  id: string;
  records: AuditRecord[];
  /** True when the event was closed by the timeout or a limit rather than its last record. */
  partial?: boolean;
}

/** Longest line accepted; the kernel's records are at most ~9 KiB. */
export const MAX_LINE = 64 * 1024;

const NUMERIC_TYPES: Record<string, string> = {
  '1005': 'USER',
  '1300': 'SYSCALL',
  '1302': 'PATH',
  '1303': 'IPC',
  '1304': 'SOCKETCALL',
  '1305': 'CONFIG_CHANGE',
  '1306': 'SOCKADDR',
  '1307': 'CWD',
  '1309': 'EXECVE',
  '1317': 'FD_PAIR',
  '1318': 'OBJ_PID',
  '1320': 'EOE',
  '1321': 'BPRM_FCAPS',
  '1322': 'CAPSET',
  '1326': 'SECCOMP',
  '1327': 'PROCTITLE',
  '1400': 'AVC',
  '1701': 'ANOM_ABEND',
};

function isTypeChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 91 || c === 93; // A-Z 0-9 _ [ ]
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** One line → a record, or undefined when the line is not an audit record. Never throws. */
export function parseRecord(line: string): AuditRecord | undefined {
  if (typeof line !== 'string' || line.length > MAX_LINE) return undefined;
  let s = line;
  while (s.length > 0 && (s.endsWith('\n') || s.endsWith('\r'))) s = s.slice(0, -1);
  let enriched: string | undefined;
  const sep = s.indexOf('\x1d');
  if (sep >= 0) {
    enriched = s.slice(sep + 1);
    s = s.slice(0, sep);
  }
  let node: string | undefined;
  if (s.startsWith('node=')) {
    const sp = s.indexOf(' ');
    if (sp < 0) return undefined;
    node = s.slice(5, sp);
  }
  let t = s.startsWith('type=') ? 0 : s.indexOf(' type=');
  if (t < 0) return undefined;
  if (t > 0) t += 1;
  const typeEnd = s.indexOf(' ', t);
  if (typeEnd < 0) return undefined;
  let type = s.slice(t + 5, typeEnd);
  if (type.length === 0 || type.length > 40) return undefined;
  for (let i = 0; i < type.length; i++) if (!isTypeChar(type.charCodeAt(i))) return undefined;
  if (isDigits(type)) type = NUMERIC_TYPES[type] ?? `UNKNOWN[${type}]`;
  let h = typeEnd + 1;
  if (s.startsWith('msg=', h)) h += 4;
  if (!s.startsWith('audit(', h)) return undefined;
  const close = s.indexOf('):', h);
  if (close < 0 || close - h > 48) return undefined;
  const id = s.slice(h + 6, close);
  const dot = id.indexOf('.');
  const colon = id.indexOf(':');
  if (dot < 0 || colon < dot) return undefined;
  const sec = id.slice(0, dot);
  const frac = id.slice(dot + 1, colon);
  const ser = id.slice(colon + 1);
  if (!isDigits(sec) || !isDigits(frac) || frac.length > 9 || !isDigits(ser)) return undefined;
  const time = Number(sec) * 1000 + Math.floor(Number(`0.${frac}`) * 1000);
  const serial = Number(ser);
  if (!Number.isSafeInteger(time) || !Number.isSafeInteger(serial)) return undefined;
  const rec: AuditRecord = { type, time, serial, id, fields: parseFields(s, close + 2) };
  if (node !== undefined) rec.node = node;
  if (enriched !== undefined) rec.enriched = enriched;
  return rec;
}

/**
 * `key=value` pairs from position `from`: values bare (up to a space), "double-quoted" or
 * 'single-quoted' (user-space messages nest their own fields in msg='…'; those are added
 * too, after the outer ones). The first of repeated keys wins. Tokens without `=` are skipped.
 */
function parseFields(s: string, from = 0, into: Map<string, string> = new Map()): Map<string, string> {
  const n = s.length;
  let i = from;
  let nested: string | undefined;
  while (i < n) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const keyStart = i;
    const eq = s.indexOf('=', i);
    const sp = s.indexOf(' ', i);
    if (eq < 0) break; // no more pairs
    if (sp >= 0 && sp < eq) {
      i = sp; // a token with no '='
      continue;
    }
    i = eq;
    const key = s.slice(keyStart, i);
    i++;
    let end: number;
    const q = s.charCodeAt(i);
    if (q === 34 || q === 39) {
      end = s.indexOf(q === 34 ? '"' : "'", i + 1);
      end = end < 0 ? n : end + 1;
    } else {
      end = s.indexOf(' ', i);
      if (end < 0) end = n;
    }
    const value = s.slice(i, end);
    i = end;
    if (key.length === 0 || key.length > 64 || key.includes('"') || key.includes("'")) continue;
    if (!into.has(key)) into.set(key, value);
    if (key === 'msg' && q === 39 && nested === undefined)
      nested = value.slice(1, value.endsWith("'") && value.length > 1 ? -1 : undefined);
  }
  if (nested !== undefined && nested.length > 0) parseFields(nested, 0, into);
  return into;
}

function isUpperHex(s: string): boolean {
  if (s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * The bytes of an "untrusted string" field (comm, exe, name, cwd, key, EXECVE arguments,
 * proctitle): the kernel writes it in double quotes when it is plain printable ASCII and
 * as hex otherwise. `(null)` and a missing field are undefined.
 */
function fieldBytes(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw === '(null)') return undefined;
  if (raw.startsWith('"') || raw.startsWith("'"))
    return Buffer.from(raw.slice(1, raw.length > 1 && raw.endsWith(raw[0] as string) ? -1 : undefined), 'latin1');
  if (isUpperHex(raw)) return Buffer.from(raw, 'hex');
  return Buffer.from(raw, 'latin1');
}

/** fieldBytes as UTF-8 text. */
export function fieldString(raw: string | undefined): string | undefined {
  // Quoted values are printable ASCII already (anything else would have been hex).
  if (raw !== undefined && raw.length >= 2 && raw.charCodeAt(0) === 34 && raw.charCodeAt(raw.length - 1) === 34)
    return raw.slice(1, -1);
  return fieldBytes(raw)?.toString('utf8');
}

/** A decimal field (`pid=123`, `exit=-2`); undefined when absent or not a number. */
export function fieldInt(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const neg = raw.startsWith('-');
  if (!isDigits(neg ? raw.slice(1) : raw)) return undefined;
  const v = Number(raw);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A bare hex field (syscall arguments a0–a3, capability sets). */
export function fieldHex(raw: string | undefined): bigint | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 16) return undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return undefined;
  }
  return BigInt(`0x${raw}`);
}

/**
 * A PATH record's `dev=MAJ:MIN` (hex) as stat(2) reports st_dev (glibc's makedev encoding),
 * so a file's audit record can be matched with a stat of its filesystem.
 */
export function fieldDev(raw: string | undefined): number | undefined {
  const m = raw === undefined ? null : /^([0-9a-f]{1,8}):([0-9a-f]{1,8})$/i.exec(raw);
  if (!m) return undefined;
  return devNumber(Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16));
}

/** st_dev as stat(2) gives it for a device's major and minor numbers (glibc's makedev). */
export function devNumber(major: number, minor: number): number {
  // bits: minor 0-7, major 8-19, minor 20-31, major 32-43 (numbers, not 32-bit ints: no overflow)
  return (
    (minor & 0xff) +
    (major & 0xfff) * 2 ** 8 +
    Math.floor(minor / 2 ** 8) * 2 ** 20 +
    Math.floor(major / 2 ** 12) * 2 ** 32
  );
}

/** The `key=` field: none, one, or several (the kernel joins several with 0x01). */
export function fieldKeys(raw: string | undefined): string[] {
  const s = fieldString(raw);
  if (s === undefined || s.length === 0) return [];
  return s.split('\x01').filter((k) => k.length > 0);
}

/** Most arguments of one event taken from EXECVE records. */
const MAX_ARGS = 16384;

/**
 * argv from an event's EXECVE records. An argument is `aN=` (quoted or hex) or, when long,
 * `aN_len=` and the chunks `aN[0]=`, `aN[1]=`, …, which may sit in later EXECVE records.
 * Returns undefined without EXECVE records.
 */
export function execveArgs(records: readonly AuditRecord[]): string[] | undefined {
  const execs = records.filter((r) => r.type === 'EXECVE');
  if (execs.length === 0) return undefined;
  let all = execs[0]?.fields ?? new Map<string, string>();
  if (execs.length > 1) {
    all = new Map(all);
    for (const r of execs.slice(1)) for (const [k, v] of r.fields) if (!all.has(k)) all.set(k, v);
  }
  const argc = Math.min(fieldInt(all.get('argc')) ?? 0, MAX_ARGS);
  const argv: string[] = [];
  for (let i = 0; i < argc; i++) {
    const whole = all.get(`a${i}`);
    if (whole !== undefined) {
      argv.push(fieldString(whole) ?? '');
      continue;
    }
    if (!all.has(`a${i}_len`)) {
      argv.push('');
      continue;
    }
    const parts: Buffer[] = [];
    for (let j = 0; ; j++) {
      const chunk = all.get(`a${i}[${j}]`);
      if (chunk === undefined) break;
      const b = fieldBytes(chunk);
      if (b) parts.push(b);
    }
    argv.push(Buffer.concat(parts).toString('utf8'));
  }
  return argv;
}

/** PROCTITLE's command line (hex of the NUL-separated argv, cut at 128 bytes by the kernel). */
export function decodeProctitle(raw: string | undefined): string[] | undefined {
  const b = fieldBytes(raw);
  if (!b) return undefined;
  const parts = b.toString('utf8').split('\0');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface Sockaddr {
  family: 'inet' | 'inet6' | 'unix' | 'netlink' | 'other';
  /** The address family number (AF_*). */
  familyNumber: number;
  /** IP address, socket path (`@name` when abstract), or `pid:groups` for netlink. */
  address?: string;
  port?: number;
}

function ipv6(b: Buffer, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(at + i * 2));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return `::ffff:${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`;
  // RFC 5952: the longest run (≥ 2) of zero groups becomes "::", the first such run on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * SOCKADDR's saddr (hex of the struct sockaddr the program passed). The family is in host
 * byte order: little-endian unless the arch says otherwise; ports are big-endian.
 */
export function parseSockaddr(hex: string | undefined, littleEndian = true): Sockaddr | undefined {
  if (hex === undefined || !isUpperHex(hex) || hex.length < 4) return undefined;
  const b = Buffer.from(hex, 'hex');
  const fam = littleEndian ? b.readUInt16LE(0) : b.readUInt16BE(0);
  switch (fam) {
    case 2:
      if (b.length < 8) return { family: 'inet', familyNumber: fam };
      return { family: 'inet', familyNumber: fam, address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: b.readUInt16BE(2) };
    case 10:
      if (b.length < 24) return { family: 'inet6', familyNumber: fam };
      return { family: 'inet6', familyNumber: fam, address: ipv6(b, 8), port: b.readUInt16BE(2) };
    case 1: {
      const p = b.subarray(2);
      if (p.length === 0) return { family: 'unix', familyNumber: fam, address: '' };
      if (p[0] === 0) {
        let end = p.length;
        while (end > 1 && p[end - 1] === 0) end--;
        return { family: 'unix', familyNumber: fam, address: `@${p.subarray(1, end).toString('utf8')}` };
      }
      const nul = p.indexOf(0);
      return { family: 'unix', familyNumber: fam, address: p.subarray(0, nul < 0 ? p.length : nul).toString('utf8') };
    }
    case 16: {
      if (b.length < 12) return { family: 'netlink', familyNumber: fam };
      const pid = littleEndian ? b.readUInt32LE(4) : b.readUInt32BE(4);
      const groups = littleEndian ? b.readUInt32LE(8) : b.readUInt32BE(8);
      return { family: 'netlink', familyNumber: fam, address: `${pid}:${groups}` };
    }
    default:
      return { family: 'other', familyNumber: fam };
  }
}

// ---- Lines from a byte stream -------------------------------------------------------------

/** Splits a byte stream into lines; a line longer than maxLine is dropped and counted. */
export class LineSplitter {
  private buf = '';
  private skipping = false;
  private readonly decoder = new StringDecoder('utf8');
  overlong = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: Buffer | string): void {
    let s = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    for (;;) {
      const nl = s.indexOf('\n');
      if (nl < 0) break;
      const piece = s.slice(0, nl);
      s = s.slice(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        this.buf = '';
        continue;
      }
      const line = this.buf.length > 0 ? this.buf + piece : piece;
      this.buf = '';
      if (line.length > this.maxLine) this.overlong++;
      else if (line.length > 0) this.onLine(line);
    }
    if (this.skipping) return;
    this.buf += s;
    if (this.buf.length > this.maxLine) {
      this.buf = '';
      this.skipping = true;
      this.overlong++;
    }
  }

  /** The last line, if it had no newline. */
  end(): void {
    const rest = this.buf + this.decoder.end();
    this.buf = '';
    if (!this.skipping && rest.length > 0 && rest.length <= this.maxLine) this.onLine(rest);
    this.skipping = false;
  }
}

// ---- Records → events -----------------------------------------------------------------------

export interface AssemblerStats {
  lines: number;
  records: number;
  /** Lines that were not audit records (including over-long ones). */
  malformed: number;
  events: number;
  /** Events closed by the timeout (no EOE/PROCTITLE), e.g. single-record events. */
  timedOut: number;
  /** Events closed early because too many were open at once or one had too many records. */
  overflowed: number;
}

export interface AssemblerOptions {
  onEvent: (event: AuditEvent) => void;
  /** Close an event this long after its first record if its end has not come (ms). */
  timeoutMs?: number;
  /** Most events open at once; past it the oldest is closed. */
  maxOpen?: number;
  /** Most records kept for one event; past it the event is closed. */
  maxRecords?: number;
  now?: () => number;
}

interface Open {
  event: AuditEvent;
  arrived: number;
}

/** Records of the daemon itself, never part of a kernel event. */
function standalone(type: string): boolean {
  return type.startsWith('DAEMON_');
}

export class AuditEventAssembler {
  readonly stats: AssemblerStats = { lines: 0, records: 0, malformed: 0, events: 0, timedOut: 0, overflowed: 0 };
  private readonly open = new Map<string, Open>();
  private readonly onEvent: (event: AuditEvent) => void;
  private readonly timeoutMs: number;
  private readonly maxOpen: number;
  private readonly maxRecords: number;
  private readonly now: () => number;

  constructor(opts: AssemblerOptions) {
    this.onEvent = opts.onEvent;
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.maxOpen = opts.maxOpen ?? 4096;
    this.maxRecords = opts.maxRecords ?? 1024;
    this.now = opts.now ?? Date.now;
  }

  /** Events still waiting for their last record. */
  get pending(): number {
    return this.open.size;
  }

  pushLine(line: string): void {
    this.stats.lines++;
    const rec = parseRecord(line);
    if (!rec) {
      this.stats.malformed++;
      return;
    }
    this.pushRecord(rec);
  }

  pushRecord(rec: AuditRecord): void {
    this.stats.records++;
    if (rec.type === 'EOE') {
      // An EOE after PROCTITLE finds its event already closed and is dropped.
      const o = this.open.get(rec.id);
      if (o) this.close(rec.id, o, false);
      return;
    }
    if (standalone(rec.type)) {
      this.emit({ serial: rec.serial, time: new Date(rec.time), id: rec.id, records: [rec] });
      return;
    }
    let o = this.open.get(rec.id);
    if (!o) {
      if (this.open.size >= this.maxOpen) {
        const [oldId, oldest] = this.open.entries().next().value as [string, Open];
        this.stats.overflowed++;
        this.close(oldId, oldest, true);
      }
      o = { event: { serial: rec.serial, time: new Date(rec.time), id: rec.id, records: [] }, arrived: this.now() };
      this.open.set(rec.id, o);
    }
    o.event.records.push(rec);
    if (rec.type === 'PROCTITLE') this.close(rec.id, o, false);
    else if (o.event.records.length >= this.maxRecords) {
      this.stats.overflowed++;
      this.close(rec.id, o, true);
    }
  }

  /** Closes events whose end has not come within the timeout. */
  flushExpired(now = this.now()): void {
    for (const [id, o] of this.open) {
      if (now - o.arrived < this.timeoutMs) break;
      this.stats.timedOut++;
      this.close(id, o, true);
    }
  }

  /** Closes every open event (at the end of the stream). */
  flushAll(): void {
    for (const [id, o] of this.open) {
      this.stats.timedOut++;
      this.close(id, o, true);
    }
  }

  private close(id: string, o: Open, partial: boolean): void {
    this.open.delete(id);
    const hasSyscall = o.event.records.some((r) => r.type === 'SYSCALL');
    if (partial && hasSyscall) o.event.partial = true;
    this.emit(o.event);
  }

  private emit(event: AuditEvent): void {
    this.stats.events++;
    this.onEvent(event);
  }
}
