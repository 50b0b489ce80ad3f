import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { have, requireAll } from '../../test/support/require.js';
import { loadPrivateKey, loadPublicKey, publicKeyPem } from './keys.js';
import { signBytes, verifyBytes } from './signature.js';

const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

test('signature: sign then verify; tampered data, tampered signature and another key fail', () => {
  const { privateKey, publicKey } = pair();
  const data = Buffer.from('{"critical":{}}');
  const sig = signBytes(privateKey, data);
  assert.match(sig, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(sig, 'base64')[0], 0x30, 'ASN.1 DER SEQUENCE');
  assert.ok(verifyBytes(publicKey, data, sig));
  assert.ok(!verifyBytes(publicKey, Buffer.from('{"critical":{}} '), sig));
  const raw = Buffer.from(sig, 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0x01;
  assert.ok(!verifyBytes(publicKey, data, raw.toString('base64')));
  assert.ok(!verifyBytes(pair().publicKey, data, sig));
});

test('signature: garbage signatures are false, never exceptions', () => {
  const { publicKey } = pair();
  for (const bad of ['', '!!!', 'AAAA', 'MAA=', Buffer.alloc(72, 0xff).toString('base64'), 'MEUCIQ', 'MEUCIQ==='])
    assert.equal(verifyBytes(publicKey, Buffer.from('x'), bad), false, bad);
  assert.equal(verifyBytes(publicKey, Buffer.from('x'), 42 as unknown as string), false);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('base64')),
      ),
      fc.uint8Array(),
      (s, d) => {
        assert.equal(verifyBytes(publicKey, Buffer.from(d), s), false);
      },
    ),
    { numRuns: 500 },
  );
});

test('signature: openssl verifies our signatures and we verify openssl’s', (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-sig-'));
  try {
    const ossl = (...args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const data = Buffer.from(`payload ${'é'.repeat(100)}\n`);
    writeFileSync(join(dir, 'data'), data);

    // Ours → openssl.
    const ours = pair();
    writeFileSync(join(dir, 'ours.pub'), publicKeyPem(ours.publicKey));
    writeFileSync(join(dir, 'ours.sig'), Buffer.from(signBytes(ours.privateKey, data), 'base64'));
    assert.match(ossl('dgst', '-sha256', '-verify', 'ours.pub', '-signature', 'ours.sig', 'data'), /Verified OK/);
    writeFileSync(join(dir, 'other'), 'other');
    const wrong = spawnSync('openssl', ['dgst', '-sha256', '-verify', 'ours.pub', '-signature', 'ours.sig', 'other'], {
      cwd: dir,
    });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stdout.toString(), /Verification failure/);

    // openssl → ours, with a key openssl generated.
    ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.pem');
    ossl('pkcs8', '-topk8', '-nocrypt', '-in', 'ec.pem', '-out', 'key.pem');
    ossl('ec', '-in', 'key.pem', '-pubout', '-out', 'key.pub');
    ossl('dgst', '-sha256', '-sign', 'key.pem', '-out', 'data.sig', 'data');
    const sig = readFileSync(join(dir, 'data.sig')).toString('base64');
    const pub = loadPublicKey(readFileSync(join(dir, 'key.pub'), 'utf8'), 'key.pub');
    assert.ok(verifyBytes(pub, data, sig));
    assert.ok(!verifyBytes(pub, Buffer.from('other'), sig));
    // And our signature with openssl's key, checked by openssl.
    const priv = loadPrivateKey(readFileSync(join(dir, 'key.pem'), 'utf8'), '', 'key.pem');
    writeFileSync(join(dir, 'ours2.sig'), Buffer.from(signBytes(priv, data), 'base64'));
    assert.match(ossl('dgst', '-sha256', '-verify', 'key.pub', '-signature', 'ours2.sig', 'data'), /Verified OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
