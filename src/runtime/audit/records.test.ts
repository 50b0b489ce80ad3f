import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  AuditEventAssembler,
  type AuditEvent,
  decodeProctitle,
  execveArgs,
  fieldDev,
  fieldHex,
  fieldInt,
  fieldKeys,
  fieldString,
  LineSplitter,
  MAX_LINE,
  parseRecord,
  parseSockaddr,
} from './records.js';
import {
  type AuditActivity,
  type ConnectEvent,
  type ExecEvent,
  type FileEvent,
  interpretEvent,
  type OpenEvent,
  processOf,
  type SetuidEvent,
} from './interpret.js';
import { parseStream, replicate } from './fixtures/replicate.js';

// Fixtures are real records from this machine's kernel (fixtures/capture.ts): the af_unix
// stream of our auditd in RAW and ENRICHED form, auditd's own log file (which has no EOE
// records), and the kernel's printk form from dmesg.

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string[] =>
  readFileSync(join(here, 'fixtures', name), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

function assemble(lines: readonly string[]): { events: AuditEvent[]; acts: AuditActivity[]; asm: AuditEventAssembler } {
  const events: AuditEvent[] = [];
  const asm = new AuditEventAssembler({ onEvent: (e) => events.push(e) });
  for (const l of lines) asm.pushLine(l);
  asm.flushAll();
  return { events, acts: events.flatMap(interpretEvent), asm };
}

const execs = (acts: AuditActivity[]): ExecEvent[] =>
  acts.filter((a): a is ExecEvent => a.kind === 'exec' && a.success && a.comm !== 'auditctl');

function checkScenario(acts: AuditActivity[], label: string): void {
  const ex = execs(acts);
  const byArgv0 = (a0: string): ExecEvent[] => ex.filter((e) => e.argv[0] === a0);

  const t = byArgv0('/bin/true').find((e) => e.uid === 0);
  assert.ok(t, label);
  assert.equal(t.exe, '/usr/bin/true');
  assert.deepEqual(t.argv, ['/bin/true']);
  assert.equal(t.path, '/bin/true');
  assert.equal(t.key, 'bulwark-exec');
  assert.equal(t.arch, 'x86_64');
  assert.equal(t.syscall, 'execve');
  assert.equal(t.cwd, '/work/main');
  assert.equal(t.auid, undefined, 'auid unset');
  assert.ok(t.pid > 0 && t.ppid > 0);
  assert.deepEqual(processOf(t), {
    pid: t.pid,
    ppid: t.ppid,
    uid: 0,
    exe: '/usr/bin/true',
    args: ['/bin/true'],
    cwd: '/work/main',
  });

  const sh = byArgv0('sh')[0];
  assert.deepEqual(sh?.argv, ['sh', '-c', 'exit 0'], 'hex-encoded argument with a space');
  assert.equal(sh?.exe, '/usr/bin/dash');

  const echoes = byArgv0('/bin/echo');
  assert.deepEqual(echoes[0]?.argv, ['/bin/echo', 'hello world', 'a"b', 'tab\there', 'ünïcode', '', 'plain']);
  assert.deepEqual(echoes[1]?.argv, ['/bin/echo', 'x'.repeat(12000)], 'a long argument in a1_len/a1[n] chunks');
  assert.deepEqual(
    echoes[2]?.argv,
    ['/bin/echo', ...Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(300, 'y'))],
    'arguments spread over several EXECVE records',
  );

  const mine = byArgv0('./my true')[0];
  assert.ok(mine?.cwd?.startsWith('/tmp/bulwark-work-'));
  assert.ok(mine);
  assert.equal(mine.path, `${mine.cwd}/my true`, 'a relative program is made absolute with cwd');
  assert.equal(mine.exe, `${mine.cwd}/my true`, 'hex-encoded exe');
  assert.equal(mine.comm, 'my true');
  const work = mine.cwd;

  const shadow = acts.find((a): a is OpenEvent => a.kind === 'open' && a.path === '/etc/shadow');
  assert.ok(shadow);
  assert.equal(shadow.key, 'bulwark-sensitive');
  assert.equal(shadow.write, false);
  assert.equal(shadow.comm, 'cat');
  assert.equal(shadow.pid, byArgv0('cat')[0]?.pid, 'the open comes from the cat that was executed');

  const watched = acts.filter(
    (a): a is OpenEvent | FileEvent => (a.kind === 'open' || a.kind === 'file') && a.path === `${work}/watched.conf`,
  );
  assert.deepEqual(
    watched.map((a) => (a.kind === 'open' ? `open write=${a.write} create=${a.create}` : a.operation)),
    ['open write=true create=true', 'open write=true create=true', 'chmod', 'unlink'],
  );
  assert.ok(watched.every((a) => a.key === 'bulwark-config'));

  const priv = acts.filter((a): a is SetuidEvent => a.kind === 'setuid');
  const setres = priv.find((p) => p.syscall === 'setresuid');
  assert.deepEqual(setres?.requested, [65534, 65534, 65534]);
  assert.equal(setres?.uid, 65534, 'credentials after the call');
  assert.equal(setres?.comm, 'setpriv');
  assert.ok(priv.some((p) => p.cause === 'capset' && p.caps?.permitted !== undefined));
  const suid = priv.find((p) => p.cause === 'setuid-exec');
  assert.ok(suid);
  assert.equal(suid.uid, 65534);
  assert.equal(suid.euid, 0);
  assert.equal(suid.path, `${work}/suid-id`);
  assert.equal((suid.mode ?? 0) & 0o7777, 0o4755);
  assert.ok(!priv.some((p) => p.cause === 'file-caps'), 'set-uid root is one event, not also file-caps');

  const conns = acts.filter((a): a is ConnectEvent => a.kind === 'connect' && a.comm === 'node');
  const v4 = conns.find((c) => c.family === 'inet');
  const v6 = conns.find((c) => c.family === 'inet6');
  assert.equal(v4?.address, '127.0.0.1');
  assert.equal(v6?.address, '::1');
  assert.ok(v4.port !== undefined && v4.port > 0 && v4.port === v6.port);
  assert.equal(v4.exit, -115, 'non-blocking connect: EINPROGRESS');
  assert.ok(conns.some((c) => c.family === 'unix' && c.address === `${work}/test.sock` && c.success));
  assert.ok(conns.some((c) => c.family === 'unix' && c.address === '@bulwark-abstract'));
}

test('records: a real SYSCALL line', () => {
  const line = fixture('socket-raw.log').find((l) => l.startsWith('type=SYSCALL') && l.includes('comm="cat"'));
  assert.ok(line);
  const r = parseRecord(line);
  assert.ok(r);
  assert.equal(r.type, 'SYSCALL');
  assert.match(r.id, /^\d+\.\d{3}:\d+$/);
  assert.equal(
    r.time,
    Number(r.id.slice(0, r.id.indexOf('.'))) * 1000 + Number(r.id.slice(r.id.indexOf('.') + 1, r.id.indexOf(':'))),
  );
  assert.equal(r.fields.get('arch'), 'c000003e');
  assert.equal(fieldString(r.fields.get('comm')), 'cat');
  assert.equal(fieldString(r.fields.get('exe')), '/usr/bin/cat');
  assert.equal(fieldInt(r.fields.get('auid')), 4294967295);
  assert.equal(r.enriched, undefined);
});

test('records: an arch value naming an Object member is an unknown arch, not an inherited key', () => {
  const lines = fixture('socket-raw.log');
  const cat = lines.find((l) => l.startsWith('type=SYSCALL') && l.includes('comm="cat"'))!;
  const serial = /audit\(([^)]+)\)/.exec(cat)![1]!;
  const event = lines.filter((l) => l.includes(`audit(${serial})`));
  const real = assemble(event).acts[0];
  assert.equal(real?.arch, 'x86_64');
  for (const bad of ['constructor', '__proto__', 'tostring']) {
    // an exec of unknown arch is not interpreted; whatever is, carries no arch
    const acts = assemble(event.map((l) => l.replace('arch=c000003e', `arch=${bad}`))).acts;
    assert.deepEqual(
      acts.map((a) => a.arch),
      acts.map(() => undefined),
      bad,
    );
  }
});

test('records: the RAW af_unix capture parses completely and interprets the scenario', () => {
  const { asm, acts, events } = assemble(fixture('socket-raw.log'));
  assert.equal(asm.stats.malformed, 0);
  assert.equal(asm.stats.timedOut, 0, 'every kernel event ended with PROCTITLE or EOE');
  assert.ok(events.every((e) => !e.partial));
  checkScenario(acts, 'raw');
});

test('records: the ENRICHED capture reads the same (interpreted fields after 0x1d are ignored)', () => {
  const lines = fixture('socket-enriched.log');
  assert.ok(lines.filter((l) => l.includes('\x1d')).length > 100);
  const { asm, acts, events } = assemble(lines);
  assert.equal(asm.stats.malformed, 0);
  assert.ok(events.some((e) => e.records.some((r) => r.enriched?.includes('SYSCALL=execve'))));
  checkScenario(acts, 'enriched');
});

test('records: auditd’s log file (no EOE records) groups by PROCTITLE', () => {
  const lines = fixture('log-raw.log');
  assert.ok(!lines.some((l) => l.startsWith('type=EOE')));
  const { asm, acts, events } = assemble(lines);
  assert.equal(asm.stats.malformed, 0);
  assert.ok(events.filter((e) => e.records.some((r) => r.type === 'SYSCALL')).every((e) => !e.partial));
  assert.ok(events.some((e) => e.records[0]?.type === 'DAEMON_START'));
  checkScenario(acts, 'log');
});

test('records: the kernel’s printk form (numeric types, no msg=)', () => {
  const lines = fixture('kmsg.log');
  const recs = lines.map(parseRecord);
  assert.ok(recs.every((r) => r !== undefined));
  assert.deepEqual([...new Set(recs.map((r) => r?.type))].sort(), ['CONFIG_CHANGE', 'PROCTITLE', 'SYSCALL']);
  const cfg = recs.find((r) => r?.type === 'CONFIG_CHANGE');
  assert.equal(cfg?.fields.get('op'), 'set');
  assert.deepEqual(
    decodeProctitle(recs.find((r) => r?.type === 'PROCTITLE')?.fields.get('proctitle'))?.[0],
    'auditctl',
  );
});

const H = (s: string): string => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

test('records: hex-encoded and split arguments, keys, null values, prefixes', () => {
  const id = 'msg=audit(1700000000.5:42):';
  const e = (body: string): string => `type=EXECVE ${id} ${body}`;
  const big = 'é'.repeat(3000); // 6000 bytes; split mid-character across chunks
  const bytes = Buffer.from(big, 'utf8').toString('hex').toUpperCase();
  const recs = [
    e(`argc=4 a0="prog" a1=${H('two words')} a2_len=${bytes.length} a2[0]=${bytes.slice(0, 2001 * 2)}`),
    e(` a2[1]=${bytes.slice(2001 * 2)} a3=""`),
  ].map((l) => parseRecord(l));
  assert.ok(recs.every((r) => r));
  assert.equal(recs[0]?.time, 1700000000500);
  assert.deepEqual(execveArgs(recs as NonNullable<(typeof recs)[number]>[]), ['prog', 'two words', big, '']);

  const sc = parseRecord(
    `node=web-1 type=SYSCALL ${id} arch=c00000b7 syscall=221 success=yes exit=0 a0=ffffff9c pid=7 ppid=1 uid=0 key=${H('bulwark-exec\x01other')} comm=(null) exe="/bin/x"\x1dARCH=aarch64 SYSCALL=execve`,
  );
  assert.ok(sc);
  assert.equal(sc.node, 'web-1');
  assert.equal(sc.enriched, 'ARCH=aarch64 SYSCALL=execve');
  assert.deepEqual(fieldKeys(sc.fields.get('key')), ['bulwark-exec', 'other']);
  assert.deepEqual(fieldKeys('(null)'), []);
  assert.equal(fieldString(sc.fields.get('comm')), undefined);
  assert.equal(fieldHex(sc.fields.get('a0')), 0xffffff9cn);
  const [ex] = interpretEvent({ serial: 42, time: new Date(sc.time), id: sc.id, records: [sc] });
  assert.equal(ex?.kind, 'exec');
  assert.equal(ex?.arch, 'aarch64');
  assert.equal(ex?.syscall, 'execve');
  assert.deepEqual(ex?.keys, ['bulwark-exec', 'other']);

  const user = parseRecord(
    `type=USER_LOGIN ${id} pid=5 uid=0 auid=1000 ses=3 msg='op=login acct="alice" exe="/usr/sbin/sshd" res=success'`,
  );
  assert.equal(user?.fields.get('op'), 'login');
  assert.equal(fieldString(user?.fields.get('acct')), 'alice');
  assert.equal(user?.fields.get('pid'), '5');
  assert.equal(parseRecord(`type=UNKNOWN[1334] ${id} a=b`)?.type, 'UNKNOWN[1334]');
  assert.equal(parseRecord(`type=1999 audit(1.000:1): x=1`)?.type, 'UNKNOWN[1999]');
});

test('records: malformed lines are skipped and counted, never thrown', () => {
  const bad = [
    '',
    'hello',
    'type=SYSCALL',
    'type=SYSCALL msg=audit(): x=1',
    'type=SYSCALL msg=audit(123:4): x=1',
    'type=SYSCALL msg=audit(12a.000:4): x=1',
    'type=SYSCALL msg=audit(1.000:99999999999999999999999): x=1',
    'type=sys call msg=audit(1.000:1): x',
    'type= msg=audit(1.000:1): x=1',
    `type=SYSCALL msg=audit(1.000:1): ${'a'.repeat(MAX_LINE)}`,
    '\x1dtype=SYSCALL msg=audit(1.000:1):',
  ];
  const events: AuditEvent[] = [];
  const asm = new AuditEventAssembler({ onEvent: (e) => events.push(e) });
  for (const l of bad) asm.pushLine(l);
  asm.pushLine('type=CWD msg=audit(1.000:1): cwd="/" junk "unterminated');
  asm.flushAll();
  assert.equal(asm.stats.malformed, bad.length);
  assert.equal(events.length, 1);
  assert.equal(fieldString(events[0]?.records[0]?.fields.get('cwd')), '/');
  // Fields that are not what they should be do not make activities.
  const sc = parseRecord('type=SYSCALL msg=audit(1.000:2): arch=zz syscall=x pid=1 uid=0');
  assert.deepEqual(interpretEvent({ serial: 2, time: new Date(1000), id: '1.000:2', records: [sc!] }), []);
});

test('records: sockaddr families and address forms', () => {
  const inet = parseSockaddr('0200D9ED7F0000010000000000000000');
  assert.deepEqual(inet, { family: 'inet', familyNumber: 2, address: '127.0.0.1', port: 55789 });
  const v6 = (addr: string): string | undefined => parseSockaddr(`0A000050${'00000000'}${addr}00000000`)?.address;
  assert.equal(v6('00000000000000000000000000000001'), '::1');
  assert.equal(v6('20010DB8000000000000000000000001'), '2001:db8::1');
  assert.equal(v6('FE800000000000000000000000000000'), 'fe80::');
  assert.equal(v6('00000000000000000000000000000000'), '::');
  assert.equal(v6('00000000000000000000FFFF0A000001'), '::ffff:10.0.0.1');
  assert.equal(v6('20010DB8000100000001000000000001'), '2001:db8:1:0:1::1', 'the longest zero run is compressed');
  assert.equal(v6('20010DB8000000010000000000000001'), '2001:db8:0:1::1');
  assert.equal(v6('20010DB8AAAABBBBCCCCDDDDEEEEFFFF'), '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff');
  assert.equal(parseSockaddr('0A000050')?.address, undefined, 'short inet6');
  assert.deepEqual(parseSockaddr(`0100${H('/run/x.sock')}00FFFF`), {
    family: 'unix',
    familyNumber: 1,
    address: '/run/x.sock',
  });
  assert.deepEqual(parseSockaddr(`010000${H('abs')}0000`), { family: 'unix', familyNumber: 1, address: '@abs' });
  assert.deepEqual(parseSockaddr('100000000000000000000000'), { family: 'netlink', familyNumber: 16, address: '0:0' });
  assert.deepEqual(parseSockaddr('2800'), { family: 'other', familyNumber: 40 });
  assert.equal(parseSockaddr('0002D9ED7F000001', false)?.address, '127.0.0.1', 'big-endian family');
  for (const bad of [undefined, '', '0', 'zz00', '020']) assert.equal(parseSockaddr(bad), undefined);
});

test('records: events end at EOE or PROCTITLE, or after the timeout; limits close them early', () => {
  let now = 0;
  const events: AuditEvent[] = [];
  const asm = new AuditEventAssembler({
    onEvent: (e) => events.push(e),
    timeoutMs: 100,
    maxOpen: 2,
    maxRecords: 3,
    now: () => now,
  });
  const rec = (type: string, serial: number, body = 'x=1'): string =>
    `type=${type} msg=audit(10.000:${serial}): ${body}`;
  asm.pushLine(rec('SYSCALL', 1));
  asm.pushLine(rec('SYSCALL', 2)); // interleaved
  asm.pushLine(rec('CWD', 1));
  asm.pushLine(rec('PROCTITLE', 1, 'proctitle=6100'));
  assert.deepEqual(
    events.map((e) => [e.serial, e.records.length]),
    [[1, 3]],
  );
  asm.pushLine(rec('EOE', 1)); // after PROCTITLE: dropped
  asm.pushLine(rec('EOE', 2));
  assert.deepEqual(
    events.map((e) => [e.serial, e.records.length]),
    [
      [1, 3],
      [2, 1],
    ],
  );
  asm.pushLine(rec('CONFIG_CHANGE', 3));
  now = 99;
  asm.flushExpired();
  assert.equal(events.length, 2);
  now = 100;
  asm.flushExpired();
  assert.equal(events.length, 3);
  assert.equal(events[2]?.partial, undefined, 'a lone record without SYSCALL is complete');
  asm.pushLine(rec('DAEMON_START', 9));
  assert.equal(events.length, 4, 'daemon records stand alone');
  asm.pushLine(rec('SYSCALL', 4));
  asm.pushLine(rec('SYSCALL', 5));
  asm.pushLine(rec('SYSCALL', 6)); // over maxOpen: 4 closes
  assert.equal(events.at(-1)?.serial, 4);
  assert.equal(events.at(-1)?.partial, true);
  asm.pushLine(rec('PATH', 5));
  asm.pushLine(rec('PATH', 5)); // maxRecords
  assert.equal(events.at(-1)?.serial, 5);
  assert.equal(asm.stats.overflowed, 2);
  asm.flushAll();
  assert.equal(asm.pending, 0);
});

test('records: the line splitter joins chunks, keeps UTF-8 intact and drops over-long lines', () => {
  const lines: string[] = [];
  const sp = new LineSplitter((l) => lines.push(l), 20);
  const data = Buffer.from('ab\nünï\n\n' + 'x'.repeat(50) + '\nlast\ntail', 'utf8');
  for (let i = 0; i < data.length; i += 3) sp.push(data.subarray(i, i + 3));
  sp.end();
  assert.deepEqual(lines, ['ab', 'ünï', 'last', 'tail']);
  assert.equal(sp.overlong, 1);
});

test('records: fast-check — arbitrary lines and chunkings never throw', () => {
  const asm = new AuditEventAssembler({ onEvent: (e) => void interpretEvent(e) });
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      parseRecord(s);
      asm.pushLine(s);
    }),
    { numRuns: 2000 },
  );
  // Record-shaped lines with arbitrary field values, through interpretation.
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), maxLength: 40 }),
    fc.constantFrom('(null)', '""', '"x', "'a b'", 'ffffff9c', '-1'),
  );
  const key = fc.constantFrom(
    'arch',
    'syscall',
    'pid',
    'ppid',
    'uid',
    'euid',
    'success',
    'exit',
    'a0',
    'a1',
    'a2',
    'argc',
    'a0_len',
    'a0[0]',
    'a1[0]',
    'name',
    'item',
    'mode',
    'nametype',
    'saddr',
    'proctitle',
    'cwd',
    'key',
    'fver',
    'pp',
    'old_pp',
    'cap_pp',
    'msg',
  );
  const type = fc.constantFrom(
    'SYSCALL',
    'EXECVE',
    'PATH',
    'CWD',
    'SOCKADDR',
    'PROCTITLE',
    'EOE',
    'BPRM_FCAPS',
    'CAPSET',
    'USER',
  );
  const recLine = fc
    .tuple(type, fc.nat(3), fc.array(fc.tuple(key, value), { maxLength: 12 }))
    .map(([t, serial, kv]) => `type=${t} msg=audit(1.000:${serial}): ${kv.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const withArch = fc.constantFrom(
    'arch=c000003e syscall=59',
    'arch=c000003e syscall=42',
    'arch=c00000b7 syscall=147',
    'arch=40000003 syscall=102 a0=3',
    'arch=c000003e syscall=257',
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(recLine, withArch), { maxLength: 12 }), (recs) => {
      const events: AuditEvent[] = [];
      const a = new AuditEventAssembler({ onEvent: (e) => events.push(e) });
      for (const [l, arch] of recs) a.pushLine(l.startsWith('type=SYSCALL') ? `${l} ${arch} pid=1 uid=0` : l);
      a.flushAll();
      for (const e of events) interpretEvent(e);
    }),
    { numRuns: 2000 },
  );
  // Any chunking of a fixture yields the same lines.
  const text = fixture('socket-enriched.log').slice(0, 200).join('\n') + '\n';
  const buf = Buffer.from(text, 'utf8');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 50 }), (sizes) => {
      const got: string[] = [];
      const sp = new LineSplitter((l) => got.push(l));
      let at = 0;
      for (let i = 0; at < buf.length; i++) {
        const n = sizes[i % sizes.length] as number;
        sp.push(buf.subarray(at, at + n));
        at += n;
      }
      sp.end();
      assert.deepEqual(
        got,
        text.split('\n').filter((l) => l.length > 0),
      );
    }),
    { numRuns: 100 },
  );
});

test('records: 80 copies of the captured stream (serials moved on), read 64 KiB at a time, give 220 events each and nothing malformed', () => {
  // the parser's throughput: bench/audit-records.ts
  const reps = 80;
  const r = parseStream(replicate(fixture('socket-raw.log'), reps));
  assert.equal(r.malformed, 0);
  assert.equal(r.events, 220 * reps);
});

test('records: PATH dev= reads as stat(2) st_dev, checked against every mount of this machine', () => {
  assert.equal(fieldDev('fe:00'), 0xfe00);
  assert.equal(fieldDev('00:30'), 48);
  assert.equal(fieldDev('103:1a2'), 0xa2 + 0x103 * 256 + 1 * 2 ** 20);
  for (const bad of [undefined, '', 'fe', 'fe:', 'zz:00', '1:2:3', '123456789:0'])
    assert.equal(fieldDev(bad), undefined, String(bad));
  // mountinfo names each mount's device as decimal major:minor; the last mount on a path is what stat sees
  const mounts = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f.length > 4 && !f[4]!.includes('\\')) mounts.set(f[4]!, f[2]!);
  }
  let checked = 0;
  for (const [path, majmin] of mounts) {
    let dev: number;
    try {
      dev = statSync(path).dev;
    } catch {
      continue;
    }
    const [maj, min] = majmin.split(':').map(Number) as [number, number];
    assert.equal(fieldDev(`${maj.toString(16)}:${min.toString(16)}`), dev, `${path} (${majmin})`);
    checked++;
  }
  assert.ok(checked > 3, `only ${checked} mounts checked`);
});
