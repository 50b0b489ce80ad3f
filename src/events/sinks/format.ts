import { hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import type { Severity } from '../../core/types.js';
import { TOOL_VERSION } from '../../core/tool.js';
import type { SecurityEvent } from '../event.js';

// How a SecurityEvent is written for the receivers SIEMs understand: one JSON line, an
// RFC 5424 syslog message (structured data + message), and ArcSight CEF (alone, or as the
// MSG of an RFC 5424 message). Every field is untrusted text (file names, command lines,
// container names come from the workload), so each format escapes what its grammar needs and
// neutralises control characters; no input can end a frame, a field or a structured-data
// element early.

/** RFC 5424 facility codes (section 6.2.1), by their usual names. */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type SyslogFacilityName = keyof typeof SYSLOG_FACILITIES;
export type SyslogFacility = SyslogFacilityName | number;

/**
 * Default facility: local0. The local facilities are the ones RFC 5424 leaves to the site, so a
 * receiver routes Bulwark's alerts with one selector without mixing them into sshd/PAM's
 * authpriv stream; set `facility: 'authpriv'` (10) where alerts must land in the auth log.
 */
const DEFAULT_FACILITY: SyslogFacilityName = 'local0';

/** Syslog severity (RFC 5424 section 6.2.1) for each Severity. */
export const SYSLOG_SEVERITY: Readonly<Record<Severity, number>> = {
  CRITICAL: 2,
  HIGH: 3,
  MEDIUM: 4,
  LOW: 5,
  UNKNOWN: 6,
};

/** CEF severity (0-10; ArcSight reads 0-3 low, 4-6 medium, 7-8 high, 9-10 very high). UNKNOWN ranks lowest, as in syslog. */
export const CEF_SEVERITY: Readonly<Record<Severity, number>> = {
  CRITICAL: 10,
  HIGH: 8,
  MEDIUM: 5,
  LOW: 3,
  UNKNOWN: 0,
};

/**
 * SD-ID of Bulwark's structured-data element. 32473 is the IANA private enterprise number
 * reserved for documentation (RFC 5612); a registered number should replace it.
 */
const SD_ID = 'bulwark@32473';

const BOM = '\uFEFF';
const NIL = '-';

// ---------------------------------------------------------------------------------------------
// Text helpers

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** The string as UTF-8 can carry it: lone surrogates become U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Control characters (C0 and DEL) as `#` and three octal digits, the way rsyslog escapes them
 * on receipt (a newline becomes `#012`): no line break or NUL reaches a log file or a parser.
 */
function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The longest prefix of s whose UTF-8 form fits in maxBytes, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // back off over continuation bytes (10xxxxxx) to the start of the cut character
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** Header fields are PRINTUSASCII (33-126); anything else becomes "_"; empty becomes NILVALUE. */
function printable(s: string | undefined, max: number): string {
  if (s === undefined || s === '') return NIL;
  const clean = [...s]
    .map((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code >= 33 && code <= 126 ? c : '_';
    })
    .join('');
  return clean.slice(0, max);
}

// ---------------------------------------------------------------------------------------------
// JSON line

/** The event as one line of JSON (no terminator; JSON escapes every control character). */
export function toJsonLine(e: SecurityEvent): string {
  return JSON.stringify(e);
}

// ---------------------------------------------------------------------------------------------
// RFC 5424

export interface SyslogOptions {
  /** APP-NAME (printable ASCII, at most 48); default "bulwark". */
  appName?: string;
  /** HOSTNAME; default the event's host, else this machine's name. */
  hostname?: string;
  facility?: SyslogFacility;
  /** PROCID; default this process's id. */
  procId?: string | number;
  /** Largest message in UTF-8 bytes: the message, then structured-data values, are shortened to fit. */
  maxBytes?: number;
}

export function facilityCode(f: SyslogFacility | undefined): number {
  const code = f === undefined ? SYSLOG_FACILITIES[DEFAULT_FACILITY] : typeof f === 'number' ? f : SYSLOG_FACILITIES[f];
  if (!Number.isInteger(code) || code < 0 || code > 23)
    throw new RangeError(`syslog facility out of range: ${String(f)}`);
  return code;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 5424 TIMESTAMP for an ISO 8601 time: kept as written when it fits (fraction cut to 6 digits), else UTC, else NILVALUE. */
export function syslogTimestamp(time: string): string {
  const m = TIMESTAMP.exec(time);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
    const n = (x: string | undefined): number => Number(x ?? '0');
    const daysIn = new Date(Date.UTC(n(y), n(mo), 0)).getUTCDate();
    const ok =
      n(mo) >= 1 &&
      n(mo) <= 12 &&
      n(d) >= 1 &&
      n(d) <= daysIn &&
      n(h) <= 23 &&
      n(mi) <= 59 &&
      n(s) <= 59 &&
      (z !== undefined || (n(oh) <= 23 && n(om) <= 59));
    // an impossible date in ISO form stays unknown (Date.parse would roll 02-30 over to 03-01)
    return ok
      ? `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.slice(0, 6)}` : ''}${z ? 'Z' : `${sign}${oh}:${om}`}`
      : NIL;
  }
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return NIL;
  const iso = new Date(ms).toISOString();
  return /^\d{4}-/.test(iso) ? iso : NIL;
}

/** The SD-PARAMs Bulwark writes, in order: [name, value]. */
function sdParams(e: SecurityEvent): [string, string][] {
  const p: [string, string][] = [];
  const add = (k: string, v: string | number | boolean | undefined): void => {
    if (v !== undefined) p.push([k, String(v)]);
  };
  add('id', e.id);
  add('rule', e.rule);
  add('severity', e.severity);
  add('action', e.action);
  add('stride', e.stride);
  add('attack', e.attack);
  add('container', e.container?.id);
  add('containerName', e.container?.name);
  add('image', e.container?.image);
  add('imageDigest', e.container?.imageDigest);
  add('pid', e.process?.pid);
  add('ppid', e.process?.ppid);
  add('exe', e.process?.exe);
  add('args', e.process?.args && JSON.stringify(e.process.args));
  add('cwd', e.process?.cwd);
  add('uid', e.process?.uid);
  add('auid', e.process?.auid);
  add('user', e.process?.user);
  add('file', e.file?.path);
  add('fileOp', e.file?.operation);
  add('netAddress', e.network?.address);
  add('netPort', e.network?.port);
  add('netProto', e.network?.protocol);
  for (const [k, v] of Object.entries(e.fields ?? {})) add(sdName(`f.${k}`), v);
  return p;
}

/** SD-NAME: 1-32 printable ASCII characters except `=`, space, `]` and `"`. */
function sdName(s: string): string {
  const name = printable(s, 32).replace(/[=\]"]/g, '_');
  return name === NIL ? '_' : name;
}

/** PARAM-VALUE escaping (RFC 5424 section 6.3.3): `"`, `\` and `]` take a backslash; controls are neutralised. */
function escapeSdValue(v: string): string {
  return escapeControls(wellFormed(v)).replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function sdElement(params: [string, string][], maxValueBytes = Infinity): string {
  const parts = params.map(
    ([k, v]) => `${k}="${escapeSdValue(Number.isFinite(maxValueBytes) ? truncateUtf8(v, maxValueBytes) : v)}"`,
  );
  return `[${SD_ID}${parts.map((x) => ` ${x}`).join('')}]`;
}

function header(e: SecurityEvent, severity: number, o: SyslogOptions): string {
  const pri = facilityCode(o.facility) * 8 + severity;
  const host = printable(o.hostname || e.host || osHostname(), 255);
  const app = printable(o.appName ?? 'bulwark', 48);
  const procId = printable(String(o.procId ?? process.pid), 128);
  const msgId = printable(e.rule, 32);
  return `<${pri}>1 ${syslogTimestamp(e.time)} ${host} ${app} ${procId} ${msgId}`;
}

/**
 * The event as an RFC 5424 message:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [bulwark@32473 …] BOM MSG`, PRI from the
 * facility and the event's severity, MSGID the rule, MSG the event's message (UTF-8, so it starts
 * with a BOM as section 6.4 requires). No terminator: the transport frames it.
 */
export function toRfc5424(e: SecurityEvent, o: SyslogOptions = {}): string {
  const head = header(e, SYSLOG_SEVERITY[e.severity], o);
  const msg = escapeControls(wellFormed(e.message));
  const params = sdParams(e);
  const full = `${head} ${sdElement(params)} ${BOM}${msg}`;
  const max = o.maxBytes;
  if (max === undefined || utf8Length(full) <= max) return full;
  // shorten the message first, then every structured-data value (halving a per-value cap: at
  // most ~32 rounds), and as a last resort leave the structured data out
  const longest = Math.max(0, ...params.map(([, v]) => utf8Length(v)));
  let cap = Infinity;
  for (let round = 0; round < 40; round++) {
    const fixed = `${head} ${sdElement(params, cap)} ${BOM}`;
    const room = max - utf8Length(fixed);
    if (room >= 0) return fixed + truncateUtf8(msg, room);
    if (cap === 0) break;
    cap = cap === Infinity ? Math.floor(longest / 2) : Math.floor(cap / 2);
  }
  const bare = `${head} ${NIL} ${BOM}`;
  return bare + truncateUtf8(msg, max - utf8Length(bare));
}

// ---------------------------------------------------------------------------------------------
// CEF

/** Header escaping: `\` and `|` take a backslash; controls are neutralised. */
function escapeCefHeader(s: string): string {
  return escapeControls(wellFormed(s).replace(/[\\|]/g, (c) => `\\${c}`));
}

/** Extension value escaping: `\` and `=` take a backslash, CR and LF become `\r` and `\n`, other controls are neutralised. */
function escapeCefValue(s: string): string {
  return escapeControls(
    wellFormed(s)
      .replace(/[\\=]/g, (c) => `\\${c}`)
      .replace(/\r/g, '\\r')
      .replace(/\n/g, '\\n'),
  );
}

/** Custom extension keys, named Vendor + Product + key as the CEF guide asks. */
const CUSTOM = 'BulwarkBulwark';

/** The extension as [key, value] pairs (unescaped), short standard keys first, long text last. */
function cefExtension(e: SecurityEvent): [string, string][] {
  const x: [string, string][] = [];
  const add = (k: string, v: string | number | undefined): void => {
    if (v !== undefined && v !== '') x.push([k, String(v)]);
  };
  const labelled = (k: string, label: string, v: string | number | undefined): void => {
    if (v === undefined || v === '') return;
    add(`${k}Label`, label);
    add(k, v);
  };
  const t = Date.parse(e.time);
  add('rt', Number.isFinite(t) ? t : undefined);
  add('act', e.action);
  add('externalId', e.id);
  add('dvchost', e.host);
  labelled('cs1', 'containerId', e.container?.id);
  labelled('cs5', 'containerName', e.container?.name);
  labelled('cs2', 'image', e.container?.image);
  labelled('cs6', 'imageDigest', e.container?.imageDigest);
  labelled('cs3', 'stride', e.stride);
  labelled('cs4', 'attack', e.attack);
  add('suser', e.process?.user);
  add('suid', e.process?.uid);
  add('spid', e.process?.pid);
  add('sproc', e.process?.exe);
  labelled('cn1', 'ppid', e.process?.ppid);
  labelled('cn2', 'auid', e.process?.auid);
  if (e.file) {
    add('fname', e.file.path.split('/').pop());
    add('filePath', e.file.path);
    labelled('flexString1', 'fileOperation', e.file.operation);
  }
  if (e.network) {
    const family = isIP(e.network.address);
    if (family === 4) add('dst', e.network.address);
    else if (family === 6) labelled('c6a1', 'destinationAddress', e.network.address);
    else add('dhost', e.network.address);
    add('dpt', e.network.port);
    add('proto', e.network.protocol?.toUpperCase());
  }
  add(`${CUSTOM}Cwd`, e.process?.cwd);
  if (e.process?.args) labelled('flexString2', 'args', JSON.stringify(e.process.args));
  if (e.fields && Object.keys(e.fields).length > 0) add(`${CUSTOM}Fields`, JSON.stringify(e.fields));
  add('msg', e.message);
  return x;
}

/**
 * The event in ArcSight CEF:
 * `CEF:0|Bulwark|Bulwark|<version>|<rule>|<message>|<severity 0-10>|<extension>`.
 * Name is the message cut to 512 characters (the spec's limit); msg carries it whole.
 */
export function toCef(e: SecurityEvent): string {
  const name = [...e.message].slice(0, 512).join('');
  const head = [
    'CEF:0',
    escapeCefHeader('Bulwark'),
    escapeCefHeader('Bulwark'),
    escapeCefHeader(TOOL_VERSION),
    escapeCefHeader(e.rule),
    escapeCefHeader(name),
    String(CEF_SEVERITY[e.severity]),
  ].join('|');
  const ext = cefExtension(e)
    .map(([k, v]) => `${k}=${escapeCefValue(v)}`)
    .join(' ');
  return `${head}|${ext}`;
}

/** Cut an escaped CEF string to maxBytes without leaving a dangling escape backslash. */
function truncateCef(s: string, maxBytes: number): string {
  const cut = truncateUtf8(s, maxBytes);
  if (cut.length === s.length) return cut;
  const trailing = /\\*$/.exec(cut)?.[0].length ?? 0;
  return trailing % 2 === 1 ? cut.slice(0, -1) : cut;
}

/**
 * CEF over syslog: the RFC 5424 header (MSGID = rule), no structured data, and the CEF string
 * as MSG, without a BOM (MSG-ANY) so receivers that look for `CEF:` at the start of MSG find it.
 */
export function toCefSyslog(e: SecurityEvent, o: SyslogOptions = {}): string {
  const head = `${header(e, SYSLOG_SEVERITY[e.severity], o)} ${NIL} `;
  const cef = toCef(e);
  return o.maxBytes === undefined ? head + cef : head + truncateCef(cef, o.maxBytes - utf8Length(head));
}
