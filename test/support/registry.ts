import { spawn, spawnSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { have } from './require.js';
import { stopChild, trackChild } from './children.js';

// A real Debian docker-registry (github.com/docker/distribution) on a loopback port for
// tests, with optional TLS, htpasswd basic auth or token auth; a small token server for
// the latter; and the openssl-made CA and certificates they use. Every process started
// here listens on 127.0.0.1 only and is stopped by the test that started it.

export function haveRegistryTools(): Record<string, boolean> {
  return {
    'docker-registry (Debian docker-registry)': have('docker-registry'),
    'htpasswd (Debian apache2-utils)': have('htpasswd'),
    openssl: have('openssl'),
    skopeo: have('skopeo'),
  };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface TestCerts {
  /** The CA certificate (PEM file): pass as --ca-file, or the token auth root bundle. */
  caCert: string;
  /** Server certificate and key for 127.0.0.1 and localhost, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** Token-signing certificate and key, signed by the CA. */
  signerCert: string;
  signerKey: string;
  /** A directory in the layout skopeo's --dest-cert-dir expects (ca.crt). */
  certDir: string;
}

/** A throw-away CA with a server certificate for the loopback names and a token-signing certificate. */
export function makeCerts(dir: string): TestCerts {
  mkdirSync(dir, { recursive: true });
  const p = (n: string): string => join(dir, n);
  const days = ['-days', '2'];
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    ...days,
    '-subj',
    '/CN=Bulwark test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (name: string, cn: string, ext: string): void => {
    run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    ]);
    writeFileSync(p(`${name}.ext`), ext);
    run('openssl', [
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p(`${name}.crt`),
      ...days,
      '-extfile',
      p(`${name}.ext`),
    ]);
  };
  leaf(
    'server',
    '127.0.0.1',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  leaf('signer', 'Bulwark test token signer', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  const certDir = p('certs.d');
  mkdirSync(certDir, { recursive: true });
  writeFileSync(join(certDir, 'ca.crt'), readFileSync(p('ca.crt')));
  return {
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    signerCert: p('signer.crt'),
    signerKey: p('signer.key'),
    certDir,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistrySetup {
  /** Private directory for storage, config and log. */
  dir: string;
  tls?: { cert: string; key: string };
  htpasswd?: { username: string; password: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** One notifications endpoint: the registry POSTs its event envelopes there, with these headers. */
  notify?: { url: string; headers?: Record<string, string[]> };
}

/** distribution's notifications section: short timeout and backoff so a test's receiver sees retries soon. */
function notifications(n: RegistrySetup['notify']): object {
  if (!n) return {};
  const endpoint = {
    name: 'test',
    url: n.url,
    headers: n.headers ?? {},
    timeout: '2s',
    threshold: 3,
    backoff: '250ms',
  };
  return { notifications: { endpoints: [endpoint] } };
}

export interface TestRegistry {
  /** "127.0.0.1:PORT", as references name it. */
  host: string;
  log: string;
  stop(): Promise<void>;
}

/** Any HTTP answer from GET /v2/ (200, or 401 when auth is on) means the registry is up. */
function answers(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', rejectUnauthorized: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startRegistry(setup: RegistrySetup): Promise<TestRegistry> {
  const port = await freePort();
  const storage = join(setup.dir, 'storage');
  mkdirSync(storage, { recursive: true });
  let auth: object | undefined;
  if (setup.htpasswd) {
    const file = join(setup.dir, 'htpasswd');
    writeFileSync(file, run('htpasswd', ['-Bbn', setup.htpasswd.username, setup.htpasswd.password]));
    auth = { htpasswd: { realm: 'bulwark-test', path: file } };
  } else if (setup.token) {
    auth = {
      token: {
        realm: setup.token.realm,
        service: setup.token.service,
        issuer: setup.token.issuer,
        rootcertbundle: setup.token.rootCertBundle,
      },
    };
  }
  const config = {
    version: 0.1,
    log: { level: 'info', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: randomBytes(16).toString('hex'),
      ...(setup.tls ? { tls: { certificate: setup.tls.cert, key: setup.tls.key } } : {}),
    },
    ...(auth ? { auth } : {}),
    ...notifications(setup.notify),
  };
  const configFile = join(setup.dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  const log = join(setup.dir, 'registry.log');
  const fd = openSync(log, 'a');
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', fd, fd] });
  trackChild(child);
  closeSync(fd);
  const host = `127.0.0.1:${port}`;
  const url = new URL(`${setup.tls ? 'https' : 'http'}://${host}/v2/`);
  const deadline = Date.now() + 15_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `docker-registry did not start on ${host}: ${readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, log, stop: () => stopChild(child) };
}

export interface TokenServer {
  realm: string;
  /** Every token request: the scopes asked and the user who asked (undefined: anonymous). */
  requests: { scopes: string[]; user?: string }[];
  stop(): Promise<void>;
}

export interface TokenServerSetup {
  certs: TestCerts;
  service: string;
  issuer: string;
  /** username → password; with any, a token is only issued to a user who logs in. */
  users: Record<string, string>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A JWT as docker/distribution's token auth reads it: RS256, the signer's certificate in x5c, access claims. */
function signToken(certs: TestCerts, claims: Record<string, unknown>): string {
  const der = new X509Certificate(readFileSync(certs.signerCert)).raw.toString('base64');
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
  const body = b64url(JSON.stringify(claims));
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(readFileSync(certs.signerKey));
  return `${head}.${body}.${b64url(sig)}`;
}

/** An https token server on 127.0.0.1, issuing what was asked to any logged-in user. */
export async function startTokenServer(setup: TokenServerSetup): Promise<TokenServer> {
  const requests: TokenServer['requests'] = [];
  const server: Server = createHttpsServer(
    { cert: readFileSync(setup.certs.serverCert), key: readFileSync(setup.certs.serverKey) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const scopes = url.searchParams.getAll('scope');
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [user, ...pw] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
      requests.push({ scopes, ...(user ? { user } : {}) });
      if (url.pathname !== '/token' || url.searchParams.get('service') !== setup.service) {
        res.writeHead(400).end();
        return;
      }
      if (!user || setup.users[user] !== pw.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'login required' }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const access = scopes.map((s) => {
        const parts = s.split(':');
        return { type: parts[0], name: parts.slice(1, -1).join(':'), actions: parts[parts.length - 1]!.split(',') };
      });
      const token = signToken(setup.certs, {
        iss: setup.issuer,
        sub: user,
        aud: setup.service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      });
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `https://127.0.0.1:${port}/token`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * skopeo copy into a test registry (TLS verified with the test CA, or not for plain http).
 * Asynchronous: a token server in this process must keep answering while skopeo runs.
 */
export function skopeoCopy(
  src: string,
  dest: string,
  opts: { creds?: string; certDir?: string; all?: boolean; format?: 'oci' | 'v2s2'; digestFile?: string },
): Promise<void> {
  const args = [
    'copy',
    '-q',
    ...(opts.digestFile ? ['--digestfile', opts.digestFile] : []),
    ...(opts.all ? ['--all'] : []),
    ...(opts.format ? ['--format', opts.format] : []),
    ...(opts.certDir ? ['--dest-cert-dir', opts.certDir] : ['--dest-tls-verify=false']),
    ...(opts.creds ? ['--dest-creds', opts.creds] : []),
    src,
    dest,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code === 0) resolve();
      else reject(new Error(`skopeo ${args.join(' ')} failed (${code}): ${err}`));
    });
  });
}
