import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { readPrivateFile, writePrivateFile } from '../../core/private-file.js';

// The server's TLS identity: the operator's certificate and key, or one self-signed on first
// start into the data dir (key 0600, made by Node's crypto; the certificate by Debian's
// openssl) and reused on every later start, so clients keep pinning the same fingerprint.

export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), colon-separated hex as openssl prints it. */
  fingerprint: string;
  /** Where it came from: `given`, `generated` now, or `reused` from the data dir. */
  origin: 'given' | 'generated' | 'reused';
  certFile: string;
}

const CERT = 'server.crt';
const KEY = 'server.key';

function matching(cert: string, key: string, certFile: string): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new BulwarkError('TLS', certFile, 'not a PEM certificate', { cause: e });
  }
  let ok = false;
  try {
    ok = x509.checkPrivateKey(createPrivateKey(key));
  } catch {
    ok = false;
  }
  if (!ok) throw new BulwarkError('TLS', certFile, 'the private key does not belong to this certificate');
  return x509;
}

function generate(dir: string, hosts: readonly string[]): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyFile = join(dir, KEY);
  writePrivateFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  // the certificate on stdout; the child gets no environment beyond PATH (no tokens)
  const withSan = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-sha256',
      '-days',
      '825',
      '-subj',
      '/CN=bulwark-server',
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'extendedKeyUsage=serverAuth',
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  if (withSan.error || withSan.status !== 0)
    throw new BulwarkError(
      'TLS',
      'openssl req',
      `cannot make a self-signed certificate: ${withSan.error?.message ?? withSan.stderr.trim()}`,
    );
  writePrivateFile(join(dir, CERT), withSan.stdout);
}

/** The operator's pair when given, else the data dir's pair (made on first start). */
export function tlsIdentity(o: {
  dataDir: string;
  certFile?: string;
  keyFile?: string;
  hosts: readonly string[];
}): TlsIdentity {
  if ((o.certFile === undefined) !== (o.keyFile === undefined))
    throw new BulwarkError('USAGE', o.certFile ?? o.keyFile!, '--tls-cert and --tls-key go together');
  let origin: TlsIdentity['origin'] = 'given';
  const certFile = o.certFile ?? join(o.dataDir, CERT);
  const keyFile = o.keyFile ?? join(o.dataDir, KEY);
  if (o.certFile === undefined) {
    const haveCert = readPrivateFile(certFile) !== undefined;
    const haveKey = readPrivateFile(keyFile, { secret: true }) !== undefined;
    if (haveCert !== haveKey)
      throw new BulwarkError(
        'TLS',
        haveCert ? keyFile : certFile,
        'missing while its pair exists; remove both to make new ones',
      );
    origin = haveCert ? 'reused' : 'generated';
    if (!haveCert) generate(o.dataDir, o.hosts);
  }
  const cert = readPrivateFile(certFile);
  const key = readPrivateFile(keyFile, { secret: true });
  if (cert === undefined) throw new BulwarkError('NOT_FOUND', certFile, 'no such certificate file');
  if (key === undefined) throw new BulwarkError('NOT_FOUND', keyFile, 'no such key file');
  return { cert, key, fingerprint: matching(cert, key, certFile).fingerprint256, origin, certFile };
}
