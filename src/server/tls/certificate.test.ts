import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeTempDir } from '../../core/tempdir.js';
import { rejectsCode } from '../../../test/support/codes.js';
import { have, requireAll } from '../../../test/support/require.js';
import { tlsIdentity } from './certificate.js';

test('tls: a self-signed pair made on first start (key 0600), reused after; a given pair must match', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const tmp = await makeTempDir();
  try {
    const first = tlsIdentity({ dataDir: tmp.path, hosts: ['127.0.0.1', 'localhost', '::1'] });
    assert.equal(first.origin, 'generated');
    assert.equal(statSync(join(tmp.path, 'server.key')).mode & 0o777, 0o600);
    const x509 = new X509Certificate(first.cert);
    assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
    assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const again = tlsIdentity({ dataDir: tmp.path, hosts: ['127.0.0.1'] });
    assert.equal(again.origin, 'reused');
    assert.equal(again.fingerprint, first.fingerprint);
    const other = await makeTempDir();
    try {
      const second = tlsIdentity({ dataDir: other.path, hosts: ['localhost'] });
      assert.notEqual(second.fingerprint, first.fingerprint);
      const given = tlsIdentity({
        dataDir: tmp.path,
        certFile: join(other.path, 'server.crt'),
        keyFile: join(other.path, 'server.key'),
        hosts: [],
      });
      assert.equal(given.origin, 'given');
      assert.equal(given.fingerprint, second.fingerprint);
      await rejectsCode(
        async () =>
          tlsIdentity({
            dataDir: tmp.path,
            certFile: join(tmp.path, 'server.crt'),
            keyFile: join(other.path, 'server.key'),
            hosts: [],
          }),
        'TLS',
      );
      writeFileSync(join(other.path, 'loose.key'), given.key, { mode: 0o644 });
      await rejectsCode(
        async () =>
          tlsIdentity({
            dataDir: tmp.path,
            certFile: join(other.path, 'server.crt'),
            keyFile: join(other.path, 'loose.key'),
            hosts: [],
          }),
        'UNSAFE_PATH',
      );
    } finally {
      await other.remove();
    }
  } finally {
    await tmp.remove();
  }
});
