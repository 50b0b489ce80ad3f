/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TOOL_VERSION } from '../../core/tool.js';
import { arbitraryEvent, sampleEvent } from '../../../test/support/security-events.js';
import {
  CEF_SEVERITY,
  SYSLOG_SEVERITY,
  facilityCode,
  syslogTimestamp,
  toCef,
  toCefSyslog,
  toJsonLine,
  toRfc5424,
  truncateUtf8,
} from './format.js';

// ---- tiny independent parsers for the tests ---------------------------------------------------

interface Parsed5424 {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: { id: string; params: [string, string][] }[] | null;
  msg: string | undefined;
}

/** RFC 5424 section 6 grammar, strictly; throws on anything else. */
function parse5424(line: string): Parsed5424 {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(line.slice(0, 300))}`);
  };
  const m = /^<(\d{1,3})>(\d{1,2}) /.exec(line) ?? fail('bad PRI/VERSION');
  i = m[0].length;
  const token = (max: number): string => {
    const end = line.indexOf(' ', i);
    if (end < 0) fail('missing SP');
    const t = line.slice(i, end);
    if (t.length < 1 || t.length > max || !/^[!-~]+$/.test(t)) fail(`bad header field ${JSON.stringify(t)}`);
    i = end + 1;
    return t;
  };
  const timestamp = token(64);
  if (timestamp !== '-' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(timestamp))
    fail('bad TIMESTAMP');
  const hostname = token(255);
  const appName = token(48);
  const procId = token(128);
  const msgId = token(32);
  let sd: Parsed5424['sd'] = null;
  if (line[i] === '-') i++;
  else {
    sd = [];
    while (line[i] === '[') {
      i++;
      const idEnd = line.slice(i).search(/[ \]]/);
      if (idEnd < 1) fail('bad SD-ID');
      const id = line.slice(i, i + idEnd);
      i += idEnd;
      const params: [string, string][] = [];
      while (line[i] === ' ') {
        i++;
        const eq = line.indexOf('="', i);
        if (eq < 0) fail('bad SD-PARAM');
        const name = line.slice(i, eq);
        if (!/^[!-~]{1,32}$/.test(name) || /[= \]"]/.test(name)) fail(`bad PARAM-NAME ${name}`);
        i = eq + 2;
        let v = '';
        for (;;) {
          const c = line[i];
          if (c === undefined) fail('unterminated PARAM-VALUE');
          if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === ']')) {
            v += line[i + 1];
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else if (c === ']') {
            fail('unescaped ] in PARAM-VALUE');
          } else {
            v += c;
            i++;
          }
        }
        params.push([name, v]);
      }
      if (line[i] !== ']') fail('unterminated SD-ELEMENT');
      i++;
      sd.push({ id, params });
    }
  }
  let msg: string | undefined;
  if (i < line.length) {
    if (line[i] !== ' ') fail('missing SP before MSG');
    msg = line.slice(i + 1);
  }
  return { pri: Number(m[1]), version: m[2] ?? '', timestamp, hostname, appName, procId, msgId, sd, msg };
}

/** Splits a CEF string into its 7 header fields (unescaped) and its extension pairs (unescaped). */
function parseCef(s: string): { header: string[]; ext: [string, string][] } {
  const header: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < s.length && header.length < 7; i++) {
    const c = s[i] as string;
    if (c === '\\' && (s[i + 1] === '\\' || s[i + 1] === '|')) {
      cur += s[i + 1];
      i++;
    } else if (c === '|') {
      header.push(cur);
      cur = '';
    } else cur += c;
  }
  assert.equal(header.length, 7, `CEF header has 7 fields: ${s}`);
  const ext: [string, string][] = [];
  const rest = s.slice(i);
  // keys: a word right before an unescaped "="; values: up to the next " key="
  const re = /(?:^| )([A-Za-z0-9]+)=/g;
  const starts: { key: string; at: number; valueAt: number }[] = [];
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    let bs = 0;
    for (let j = m.index + m[0].length - 2; j >= 0 && rest[j] === '\\'; j--) bs++;
    if (bs % 2 === 0) starts.push({ key: m[1] as string, at: m.index, valueAt: m.index + m[0].length });
  }
  assert.ok(rest === '' || starts[0]?.at === 0, `extension starts with a key: ${rest}`);
  starts.forEach((st, k) => {
    const raw = rest.slice(st.valueAt, starts[k + 1]?.at ?? rest.length);
    ext.push([st.key, raw.replace(/\\([\\=nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c))]);
  });
  return { header, ext };
}

// the neutralisation the formats promise: lone surrogates → U+FFFD, C0 controls and DEL → #ooo
const wf = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
const octal = (s: string): string =>
  wf(s).replace(/[\x00-\x1f\x7f]/g, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const cefText = (s: string): string =>
  wf(s).replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const withoutUndefined = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

// ---- examples --------------------------------------------------------------------------------

describe('toRfc5424', () => {
  it('writes PRI, header, one structured-data element and a BOM before the message', () => {
    const line = toRfc5424(sampleEvent(), { appName: 'bulwark', procId: 77 });
    assert.ok(
      line.startsWith('<131>1 2024-05-06T07:08:09.123456Z node-1 bulwark 77 shell-in-container [bulwark@32473 id="'),
      line,
    );
    const p = parse5424(line);
    assert.equal(p.pri, 16 * 8 + 3); // local0, HIGH → err
    assert.equal(p.msg, '\uFEFFshell "sh" spawned in container web [pid 4242] | user=root');
    assert.equal(p.sd?.length, 1);
    assert.equal(p.sd?.[0]?.id, 'bulwark@32473');
    const params = Object.fromEntries(p.sd?.[0]?.params ?? []);
    assert.equal(params.rule, 'shell-in-container');
    assert.equal(params.container, '3f4e5d6c7b8a');
    assert.equal(params.image, 'nginx:1.25');
    assert.equal(params.stride, 'ElevationOfPrivilege');
    assert.equal(params.attack, 'T1059.004');
    assert.equal(params.args, '["sh","-c","id; cat /etc/shadow"]');
    assert.equal(params['f.count'], '3');
    assert.ok(
      line.includes('args="[\\"sh\\",\\"-c\\",\\"id; cat /etc/shadow\\"\\]"'),
      'quote and ] escaped with a backslash',
    );
  });

  it('maps every severity and facility to PRI', () => {
    for (const [sev, code] of Object.entries(SYSLOG_SEVERITY)) {
      const p = parse5424(
        toRfc5424(sampleEvent({ severity: sev as keyof typeof SYSLOG_SEVERITY }), { facility: 'authpriv' }),
      );
      assert.equal(p.pri, 10 * 8 + code);
    }
    assert.deepEqual(Object.values(SYSLOG_SEVERITY), [2, 3, 4, 5, 6]);
    assert.equal(parse5424(toRfc5424(sampleEvent({ severity: 'CRITICAL' }))).pri, 130);
    assert.equal(parse5424(toRfc5424(sampleEvent({ severity: 'UNKNOWN' }), { facility: 0 })).pri, 6);
    assert.throws(() => facilityCode(24), RangeError);
  });

  it('keeps MSGID printable ASCII and at most 32 characters; the hostname option wins', () => {
    const p = parse5424(
      toRfc5424(sampleEvent({ rule: 'my rule: "drift" détecté — a very long rule name indeed' }), {
        hostname: 'agent-7',
      }),
    );
    assert.equal(p.msgId, 'my_rule:_"drift"_d_tect____a_ver');
    assert.equal(p.hostname, 'agent-7');
    assert.equal(parse5424(toRfc5424(sampleEvent({ rule: '' }))).msgId, '-');
  });

  it('normalises timestamps to the RFC 5424 form', () => {
    assert.equal(syslogTimestamp('2024-01-02T03:04:05.123456789Z'), '2024-01-02T03:04:05.123456Z');
    assert.equal(syslogTimestamp('2024-01-02t03:04:05+02:00'), '2024-01-02T03:04:05+02:00');
    assert.equal(syslogTimestamp('2024-02-30T00:00:00Z'), '-');
    assert.equal(syslogTimestamp('2024-01-02T03:04:60Z'), '-');
    assert.equal(syslogTimestamp('Tue, 02 Jan 2024 03:04:05 GMT'), '2024-01-02T03:04:05.000Z');
    assert.equal(syslogTimestamp('yesterday'), '-');
  });

  it('neutralises control characters and escapes brackets everywhere', () => {
    const e = sampleEvent({ message: 'line1\nline2\r\u0000end', container: { id: 'a]b"c\\d' } });
    const line = toRfc5424(e);
    assert.ok(!/[\r\n\u0000]/.test(line));
    const p = parse5424(line);
    assert.equal(p.msg, '\uFEFFline1#012line2#015#000end');
    assert.equal(Object.fromEntries(p.sd?.[0]?.params ?? []).container, 'a]b"c\\d');
  });

  it('fits maxBytes by shortening the message, then the structured-data values, and stays well-formed', () => {
    const e = sampleEvent({ message: 'x'.repeat(10_000), process: { pid: 1, args: ['é'.repeat(5000)] } });
    for (const max of [1024, 2000, 8192]) {
      const line = toRfc5424(e, { maxBytes: max });
      assert.ok(Buffer.byteLength(line) <= max, `${Buffer.byteLength(line)} <= ${max}`);
      const p = parse5424(line);
      assert.equal(Object.fromEntries(p.sd?.[0]?.params ?? []).rule, 'shell-in-container');
    }
    // short messages are untouched
    assert.equal(toRfc5424(sampleEvent(), { maxBytes: 8192, procId: 1 }), toRfc5424(sampleEvent(), { procId: 1 }));
  });
});

describe('toCef', () => {
  it('writes the header and standard extension keys', () => {
    const cef = toCef(sampleEvent());
    assert.ok(
      cef.startsWith(
        `CEF:0|Bulwark|Bulwark|${TOOL_VERSION}|shell-in-container|shell "sh" spawned in container web [pid 4242] \\| user=root|8|rt=`,
      ),
      cef,
    );
    const { header, ext } = parseCef(cef);
    assert.equal(header[5], 'shell "sh" spawned in container web [pid 4242] | user=root');
    const x = Object.fromEntries(ext);
    assert.equal(x.rt, String(Date.parse('2024-05-06T07:08:09.123456Z')));
    assert.equal(x.act, 'alert');
    assert.equal(x.dvchost, 'node-1');
    assert.equal(x.cs1Label, 'containerId');
    assert.equal(x.cs1, '3f4e5d6c7b8a');
    assert.equal(x.cs2, 'nginx:1.25');
    assert.equal(x.cs3, 'ElevationOfPrivilege');
    assert.equal(x.cs4, 'T1059.004');
    assert.equal(x.suser, 'root');
    assert.equal(x.spid, '4242');
    assert.equal(x.sproc, '/bin/sh');
    assert.equal(x.fname, 'shadow');
    assert.equal(x.filePath, '/etc/shadow');
    assert.equal(x.dst, '203.0.113.9');
    assert.equal(x.dpt, '4444');
    assert.equal(x.proto, 'TCP');
    assert.equal(x.msg, 'shell "sh" spawned in container web [pid 4242] | user=root');
    assert.ok(
      cef.includes('msg=shell "sh" spawned in container web [pid 4242] | user\\=root'),
      'extension escapes = but not |',
    );
  });

  it('maps severities to 0-10 and IPv6 / host names to their keys', () => {
    assert.deepEqual(CEF_SEVERITY, { CRITICAL: 10, HIGH: 8, MEDIUM: 5, LOW: 3, UNKNOWN: 0 });
    const v6 = Object.fromEntries(parseCef(toCef(sampleEvent({ network: { address: '2001:db8::1', port: 443 } }))).ext);
    assert.equal(v6.c6a1, '2001:db8::1');
    assert.equal(v6.dst, undefined);
    const named = Object.fromEntries(
      parseCef(toCef(sampleEvent({ network: { address: 'evil.example', port: 443 } }))).ext,
    );
    assert.equal(named.dhost, 'evil.example');
  });

  it('escapes header pipes and backslashes, extension = \\ and newlines', () => {
    const cef = toCef(sampleEvent({ rule: 'a|b\\c', message: 'm\nn=o\\p\rq|r' }));
    assert.ok(cef.startsWith(`CEF:0|Bulwark|Bulwark|${TOOL_VERSION}|a\\|b\\\\c|m#012n=o\\\\p#015q\\|r|8|`), cef);
    assert.ok(cef.endsWith('msg=m\\nn\\=o\\\\p\\rq|r'), cef);
  });

  it('over syslog: RFC 5424 header, no structured data, the CEF string as MSG without a BOM', () => {
    const line = toCefSyslog(sampleEvent(), { procId: 9 });
    const p = parse5424(line);
    assert.equal(p.msgId, 'shell-in-container');
    assert.equal(p.sd, null);
    assert.equal(p.msg, toCef(sampleEvent()));
    const short = toCefSyslog(sampleEvent({ message: '\\'.repeat(5000) }), { maxBytes: 1024 });
    assert.ok(Buffer.byteLength(short) <= 1024);
    assert.equal((/\\*$/.exec(short)?.[0].length ?? 0) % 2, 0, 'no dangling escape');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.nat(400), (s, n) => {
        const t = truncateUtf8(s, n);
        assert.ok(Buffer.byteLength(t) <= n);
        assert.ok(wf(s).startsWith(t));
        assert.ok(!t.includes('\uFFFD') || wf(s).slice(0, t.length) === t);
      }),
    );
  });
});

// ---- properties: no field can break the framing ---------------------------------------------

describe('formats hold any input', () => {
  it('RFC 5424 lines parse back to the same fields', () => {
    fc.assert(
      fc.property(arbitraryEvent(), fc.constantFrom(undefined, 1024, 1500, 8192), (e, maxBytes) => {
        const line = toRfc5424(e, { appName: 'bulwark', procId: 1, ...(maxBytes ? { maxBytes } : {}) });
        if (maxBytes) assert.ok(Buffer.byteLength(line) <= maxBytes);
        assert.ok(!/[\x00-\x1f\x7f]/.test(line), 'no control characters');
        const p = parse5424(line);
        assert.equal(p.version, '1');
        assert.equal(p.pri, 16 * 8 + SYSLOG_SEVERITY[e.severity]);
        assert.ok(p.msg?.startsWith('\uFEFF'));
        if (!maxBytes) {
          assert.equal(p.msg, `\uFEFF${octal(e.message)}`);
          const params = p.sd?.[0]?.params ?? [];
          const byName = new Map(params);
          assert.equal(byName.get('id'), octal(e.id));
          assert.equal(byName.get('rule'), octal(e.rule));
          assert.equal(byName.get('attack'), octal(e.attack));
          assert.equal(byName.get('container'), e.container ? octal(e.container.id) : undefined);
          assert.equal(
            byName.get('containerName'),
            e.container?.name === undefined ? undefined : octal(e.container.name),
          );
          assert.equal(byName.get('file'), e.file ? octal(e.file.path) : undefined);
          assert.equal(byName.get('user'), e.process?.user === undefined ? undefined : octal(e.process.user));
          assert.equal(
            byName.get('args'),
            e.process?.args === undefined ? undefined : octal(JSON.stringify(e.process.args)),
          );
          assert.equal(params.filter(([k]) => k.startsWith('f.')).length, Object.keys(e.fields ?? {}).length);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('CEF keeps 7 header fields, no raw newline, and every value round-trips', () => {
    fc.assert(
      fc.property(arbitraryEvent(), (e) => {
        const cef = toCef(e);
        assert.ok(!/[\r\n\x00]/.test(cef), 'no raw newline or NUL');
        const { header, ext } = parseCef(cef);
        assert.equal(header[0], 'CEF:0');
        assert.equal(header[4], octal(e.rule));
        assert.equal(header[5], octal([...e.message].slice(0, 512).join('')));
        assert.equal(header[6], String(CEF_SEVERITY[e.severity]));
        const x = new Map(ext);
        assert.equal(ext.length, x.size, 'each key once');
        assert.equal(x.get('msg'), e.message === '' ? undefined : cefText(e.message));
        assert.equal(x.get('externalId'), e.id === '' ? undefined : cefText(e.id));
        assert.equal(x.get('cs4'), e.attack === '' ? undefined : cefText(e.attack));
        if (e.file?.path) assert.equal(x.get('filePath'), cefText(e.file.path));
        if (e.container?.id) assert.equal(x.get('cs1'), cefText(e.container.id));
        if (e.process?.user) assert.equal(x.get('suser'), cefText(e.process.user));
        const line = toCefSyslog(e, { maxBytes: 1024 });
        assert.ok(Buffer.byteLength(line) <= 1024);
        assert.ok(parse5424(line).msg?.startsWith('CEF:0|'));
      }),
      { numRuns: 400 },
    );
  });

  it('JSON lines are one line and parse back to the event', () => {
    fc.assert(
      fc.property(arbitraryEvent(), (e) => {
        const line = toJsonLine(e);
        assert.ok(!/[\r\n]/.test(line));
        assert.deepEqual(JSON.parse(line), withoutUndefined(e));
      }),
      { numRuns: 200 },
    );
  });
});
