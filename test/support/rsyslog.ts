import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { stopChild, trackChild } from './children.js';

// For tests only: a real rsyslogd (Debian's rsyslog) as the syslog receiver, with a private
// configuration in a temporary directory — imudp and imtcp (plain, and TLS through the ossl or
// gtls stream driver when installed) on free 127.0.0.1 ports, every received message written
// as one JSON line of the fields rsyslog parsed, its work directory in the same place, and no
// other input (no klog, no /dev/log) or rule. Stopped by the test that started it.

/** What rsyslog parsed from one received message. */
export interface Received {
  /** "udp", "tcp" or "tls": the input it arrived on. */
  input: string;
  pri: number;
  /** TIMESTAMP as rsyslog read it (RFC 3339). */
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  /** The structured data as rsyslog's mmpstrucdata parsed it: SD-ID → PARAM-NAME → value (unescaped). */
  sd: Record<string, Record<string, string>> | undefined;
  /** MSG, BOM included when the sender put one. */
  msg: string;
  raw: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  /** Undefined without TLS. */
  tlsPort: number | undefined;
  /** Messages received so far (readiness probes left out). */
  received(): Received[];
  /** Waits until `count` received messages satisfy `match` (bounded by timeoutMs); returns them. */
  waitFor(match: (r: Received) => boolean, count?: number, timeoutMs?: number): Promise<Received[]>;
  /** rsyslogd's own output (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface RsyslogSetup {
  /** A private directory for config, work directory, output and log. */
  dir: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** The TLS stream driver rsyslog has installed ("ossl", "gtls"), if any. */
export function rsyslogTlsDriver(): 'ossl' | 'gtls' | undefined {
  const dirs: string[] = [];
  for (const base of ['/usr/lib', '/usr/lib64']) {
    if (!existsSync(base)) continue;
    dirs.push(join(base, 'rsyslog'));
    for (const d of readdirSync(base)) dirs.push(join(base, d, 'rsyslog'));
  }
  for (const driver of ['ossl', 'gtls'] as const) {
    if (dirs.some((d) => existsSync(join(d, `lmnsd_${driver}.so`)))) return driver;
  }
  return undefined;
}

const PROBE_APP = 'bulwark-probe';

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const q = (s: string): string => JSON.stringify(s);

// every field as a JSON string, escaped by rsyslog's "json" property option
const FIELDS: [string, string][] = [
  ['input', 'inputname'],
  ['pri', 'pri'],
  ['timestamp', 'timestamp:::date-rfc3339'],
  ['hostname', 'hostname'],
  ['appName', 'app-name'],
  ['procId', 'procid'],
  ['msgId', 'msgid'],
  ['structuredData', 'structured-data'],
  ['msg', 'msg'],
  ['raw', 'rawmsg'],
];

function config(
  dir: string,
  out: string,
  ports: { udp: number; tcp: number; tls?: number },
  tls: RsyslogSetup['tls'],
  driver: string | undefined,
): string {
  // plus the structured data as rsyslog's mmpstrucdata parsed it (JSON, in a JSON string)
  const tmpl = `{${FIELDS.map(([k, p]) => `"${k}":"%${p.includes(':::') ? p.replace(':::', ':::json,') : `${p}:::json`}%"`).join(',')},"sdParsed":"%$!rfc5424-sd:::json%"}\n`;
  const lines = [
    `global(workDirectory=${q(join(dir, 'work'))} maxMessageSize="64k"${tls ? ` defaultNetstreamDriverCAFile=${q(tls.caFile)} defaultNetstreamDriverCertFile=${q(tls.certFile)} defaultNetstreamDriverKeyFile=${q(tls.keyFile)}` : ''})`,
    'module(load="imudp")',
    'module(load="imtcp")',
    `template(name="bulwarkTest" type="string" string=${q(tmpl)})`,
    'module(load="mmpstrucdata")',
    `ruleset(name="bulwarkTest") { action(type="mmpstrucdata" sd_name.lowercase="off") action(type="omfile" file=${q(out)} template="bulwarkTest") }`,
    `input(type="imudp" name="udp" address="127.0.0.1" port="${ports.udp}" ruleset="bulwarkTest")`,
    `input(type="imtcp" name="tcp" address="127.0.0.1" port="${ports.tcp}" ruleset="bulwarkTest")`,
  ];
  if (tls && ports.tls && driver) {
    lines.push(
      `input(type="imtcp" name="tls" address="127.0.0.1" port="${ports.tls}" ruleset="bulwarkTest" streamDriver.name="${driver}" streamDriver.mode="1" streamDriver.authMode="anon")`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const frame = (msg: string): Buffer => {
  const b = Buffer.from(msg);
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
};

/** Sends one probe message per input, then gives rsyslog a moment; callers check arrival. */
async function probe(
  ports: { udp: number; tcp: number; tls?: number },
  caFile: string | undefined,
  n: number,
): Promise<void> {
  const msg = (input: string): string => `<14>1 - probe ${PROBE_APP} - ${input} - probe ${n}`;
  await new Promise<void>((resolve) => {
    const s = createSocket('udp4');
    s.send(msg('udp'), ports.udp, '127.0.0.1', () => s.close(() => resolve()));
  });
  const stream = (port: number, input: string, tls: boolean): Promise<void> =>
    new Promise((resolve) => {
      const sock = tls
        ? tlsConnect({ host: '127.0.0.1', port, ...(caFile ? { ca: readFileSync(caFile) } : {}) })
        : connect(port, '127.0.0.1');
      const timer = setTimeout(() => sock.destroy(), 1000);
      sock.on('error', () => undefined);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.once(tls ? 'secureConnect' : 'connect', () => sock.end(frame(msg(input))));
    });
  await stream(ports.tcp, 'tcp', false);
  if (ports.tls) await stream(ports.tls, 'tls', true);
}

export async function startRsyslog(setup: RsyslogSetup): Promise<Rsyslog> {
  const { dir } = setup;
  mkdirSync(join(dir, 'work'), { recursive: true });
  const driver = setup.tls ? rsyslogTlsDriver() : undefined;
  if (setup.tls && !driver)
    throw new Error('rsyslog has no TLS stream driver (install rsyslog-openssl or rsyslog-gnutls)');
  const ports = {
    udp: await freeUdpPort(),
    tcp: await freeTcpPort(),
    ...(setup.tls ? { tls: await freeTcpPort() } : {}),
  };
  const out = join(dir, 'received.jsonl');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, config(dir, out, ports, setup.tls, driver));
  const logFile = join(dir, 'rsyslogd.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', fd, fd] });
  trackChild(child);
  closeSync(fd);
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const all = (): Received[] => {
    if (!existsSync(out)) return [];
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const r = JSON.parse(l) as Record<string, string>;
        return {
          input: r.input ?? '',
          pri: Number(r.pri),
          timestamp: r.timestamp ?? '',
          hostname: r.hostname ?? '',
          appName: r.appName ?? '',
          procId: r.procId ?? '',
          msgId: r.msgId ?? '',
          structuredData: r.structuredData ?? '',
          msg: r.msg ?? '',
          raw: r.raw ?? '',
          sd: r.sdParsed ? (JSON.parse(r.sdParsed) as Record<string, Record<string, string>>) : undefined,
        };
      });
  };

  // ready when a probe has come through every input (at most 15 s, a probe every 200 ms)
  const inputs = ['udp', 'tcp', ...(ports.tls ? ['tls'] : [])];
  const deadline = Date.now() + 15_000;
  for (let n = 0; ; n++) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `rsyslogd did not start (ports ${JSON.stringify(ports)}):\n${log().split('\n').slice(-20).join('\n')}`,
      );
    }
    await probe(ports, setup.tls?.caFile, n);
    await new Promise((r) => setTimeout(r, 200));
    const seen = new Set(
      all()
        .filter((r) => r.appName === PROBE_APP)
        .map((r) => r.input),
    );
    if (inputs.every((i) => seen.has(i))) break;
  }

  const received = (): Received[] => all().filter((r) => r.appName !== PROBE_APP);
  return {
    udpPort: ports.udp,
    tcpPort: ports.tcp,
    tlsPort: ports.tls,
    received,
    async waitFor(match, count = 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = received().filter(match);
        if (got.length >= count || Date.now() > end) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    log,
    stop: () => stopChild(child),
  };
}
