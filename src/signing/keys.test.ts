import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.js';
import { have, requireAll } from '../../test/support/require.js';
import { encrypt } from './encrypted.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey, publicKeyPem } from './keys.js';
import { decodePem, encodePem } from './pem.js';
import { signBytes, verifyBytes } from './signature.js';
import { mutatedBytes, mutatedJson, onlyBulwarkErrors } from './fixtures/mutate.js';
import { throwsCode } from '../../test/support/codes.js';

// Cheap scrypt parameters for tests that decrypt many variants (the reader takes the
// parameters from the file, so these are still real documents).
const FAST = { N: 16, r: 1, p: 1 };

function fails(fn: () => unknown, code: string, reason: RegExp, input = 'key.pem'): void {
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof BulwarkError &&
      e.code === code &&
      e.input === input &&
      reason.test(e.message) &&
      !e.message.includes('\n'),
  );
}

test('keys: a generated pair is cosign format and round-trips: load with the password, sign, verify', () => {
  const pair = generateKeyPair('correct horse');
  const block = decodePem(pair.privatePem, 'key.pem');
  assert.equal(block.type, 'ENCRYPTED COSIGN PRIVATE KEY');
  const doc = JSON.parse(block.bytes.toString('utf8'));
  assert.deepEqual(Object.keys(doc), ['kdf', 'cipher', 'ciphertext']);
  assert.deepEqual(doc.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(doc.kdf.name, 'scrypt');
  assert.equal(doc.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(doc.kdf.salt, 'base64').length, 32);
  assert.equal(Buffer.from(doc.cipher.nonce, 'base64').length, 24);
  assert.match(pair.publicPem, /^-----BEGIN PUBLIC KEY-----\n/);

  const priv = loadPrivateKey(pair.privatePem, 'correct horse', 'key.pem');
  const pub = loadPublicKey(pair.publicPem, 'key.pub');
  assert.equal(publicKeyPem(priv), pair.publicPem);
  assert.equal(publicKeyPem(pub), pair.publicPem);
  const data = Buffer.from('payload');
  assert.ok(verifyBytes(pub, data, signBytes(priv, data)));
});

test('keys: a wrong password is a KEY error naming the input; the empty password is allowed', () => {
  const pair = generateKeyPair('');
  fails(() => loadPrivateKey(pair.privatePem, 'x', 'key.pem'), 'KEY', /^key\.pem: wrong password or corrupt key$/);
  const priv = loadPrivateKey(pair.privatePem, '', 'key.pem');
  assert.equal(publicKeyPem(priv), pair.publicPem);
});

test('keys: the newer ENCRYPTED SIGSTORE PRIVATE KEY block reads the same', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = encodePem(
    'ENCRYPTED SIGSTORE PRIVATE KEY',
    encrypt(privateKey.export({ type: 'pkcs8', format: 'der' }), 'pw', FAST),
  );
  assert.equal(publicKeyPem(loadPrivateKey(pem, 'pw', 'key.pem')), publicKeyPem(privateKey));
  fails(() => loadPrivateKey(pem, 'pW', 'key.pem'), 'KEY', /wrong password/);
});

test('keys: tampering with the sealed key is detected as a wrong password or corrupt key', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const doc = JSON.parse(encrypt(privateKey.export({ type: 'pkcs8', format: 'der' }), 'pw', FAST).toString());
  const ct = Buffer.from(doc.ciphertext, 'base64');
  ct[ct.length - 1] = (ct[ct.length - 1] ?? 0) ^ 1;
  const pem = encodePem(
    'ENCRYPTED COSIGN PRIVATE KEY',
    Buffer.from(JSON.stringify({ ...doc, ciphertext: ct.toString('base64') })),
  );
  fails(() => loadPrivateKey(pem, 'pw', 'key.pem'), 'KEY', /wrong password or corrupt key/);
});

test('keys: keys openssl made load (SEC 1 with its EC PARAMETERS block, PKCS#8, SPKI) and match', (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
  try {
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    ossl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ec.pem');
    ossl('pkcs8', '-topk8', '-nocrypt', '-in', 'ec.pem', '-out', 'p8.pem');
    ossl('ec', '-in', 'ec.pem', '-pubout', '-out', 'pub.pem');
    const sec1 = readFileSync(join(dir, 'ec.pem'), 'utf8');
    assert.match(sec1, /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
    const pubPem = readFileSync(join(dir, 'pub.pem'), 'utf8');
    assert.equal(publicKeyPem(loadPrivateKey(sec1, '', 'ec.pem')), pubPem);
    assert.equal(publicKeyPem(loadPrivateKey(readFileSync(join(dir, 'p8.pem'), 'utf8'), 'ignored', 'p8.pem')), pubPem);
    assert.equal(publicKeyPem(loadPublicKey(pubPem, 'pub.pem')), pubPem);

    ossl('ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'p384.pem');
    ossl('ec', '-in', 'p384.pem', '-pubout', '-out', 'p384.pub');
    fails(
      () => loadPrivateKey(readFileSync(join(dir, 'p384.pem'), 'utf8'), '', 'key.pem'),
      'KEY',
      /unsupported key type ECDSA secp384r1/,
    );
    fails(() => loadPublicKey(readFileSync(join(dir, 'p384.pub'), 'utf8'), 'key.pem'), 'KEY', /only ECDSA P-256/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys: only ECDSA P-256 is accepted, also inside the encrypted format', () => {
  for (const [kind, opts] of [
    ['rsa', { modulusLength: 2048 }],
    ['ed25519', {}],
  ] as const) {
    const { privateKey, publicKey } = generateKeyPairSync(kind as 'rsa', opts as { modulusLength: number });
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    fails(
      () => loadPrivateKey(encodePem('PRIVATE KEY', der), '', 'key.pem'),
      'KEY',
      new RegExp(`unsupported key type ${kind}`),
    );
    fails(
      () => loadPrivateKey(encodePem('ENCRYPTED COSIGN PRIVATE KEY', encrypt(der, 'pw', FAST)), 'pw', 'key.pem'),
      'KEY',
      /only ECDSA P-256/,
    );
    fails(
      () => loadPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'key.pem'),
      'KEY',
      /only ECDSA P-256/,
    );
  }
});

test('keys: a public key file must hold a public key, a private key file a private key', () => {
  const pair = generateKeyPair('pw');
  fails(
    () => loadPublicKey(pair.privatePem, 'key.pem'),
    'KEY',
    /PEM block ENCRYPTED COSIGN PRIVATE KEY is not a public key/,
  );
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  fails(
    () => loadPublicKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'key.pem'),
    'KEY',
    /PRIVATE KEY is not a public key/,
  );
  fails(() => loadPrivateKey(pair.publicPem, 'pw', 'key.pem'), 'KEY', /PUBLIC KEY is not a private key/);
  assert.equal(publicKeyPem(createPublicKey(privateKey)), publicKeyPem(privateKey));
});

test('keys: malformed files are one-line errors naming the input', () => {
  const cases = [
    '',
    'hello',
    '-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n',
    '-----BEGIN PUBLIC KEY-----\nYR==\n-----END PUBLIC KEY-----\n',
    '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
    '-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END EC PRIVATE KEY-----\n',
  ];
  for (const pem of cases) {
    const e = throwsCode(
      () => (pem.includes('PRIVATE') ? loadPrivateKey(pem, '', 'f.pem') : loadPublicKey(pem, 'f.pem')),
      'CORRUPT',
      'f.pem',
    );
    assert.doesNotMatch(e.message, /\n/, 'one line');
  }
  const enc = (doc: unknown) => encodePem('ENCRYPTED COSIGN PRIVATE KEY', Buffer.from(JSON.stringify(doc)));
  fails(
    () => loadPrivateKey(encodePem('ENCRYPTED COSIGN PRIVATE KEY', Buffer.from('{')), '', 'key.pem'),
    'CORRUPT',
    /invalid JSON/,
  );
  fails(() => loadPrivateKey(enc({ kdf: { name: 'pbkdf2' } }), '', 'key.pem'), 'CORRUPT', /at kdf\.name/);
  const huge = {
    kdf: { name: 'scrypt', params: { N: 1 << 20, r: 32, p: 1 }, salt: 'AAAA' },
    cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') },
    ciphertext: 'AAAA',
  };
  fails(() => loadPrivateKey(enc(huge), '', 'key.pem'), 'KEY', /scrypt parameters need/);
  fails(() => loadPrivateKey('x'.repeat(2 << 20), '', 'key.pem'), 'TOO_LARGE', /more than/);
});

test('keys: arbitrary and mutated key files never throw anything but a BulwarkError', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sealed = JSON.parse(encrypt(privateKey.export({ type: 'pkcs8', format: 'der' }), 'pw', FAST).toString());
  const pubPem = Buffer.from(publicKeyPem(publicKey));
  const p8Pem = Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string().map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        mutatedJson(sealed).map((doc) => Buffer.from(encodePem('ENCRYPTED COSIGN PRIVATE KEY', doc))),
        mutatedBytes(pubPem),
        mutatedBytes(p8Pem),
        fc
          .uint8Array({ maxLength: 200 })
          .map((b) => Buffer.from(encodePem(b.length % 2 ? 'PUBLIC KEY' : 'EC PRIVATE KEY', Buffer.from(b)))),
      ),
      (bytes) => {
        const text = bytes.toString('utf8');
        onlyBulwarkErrors(() => loadPrivateKey(text, 'pw', 'key.pem'));
        onlyBulwarkErrors(() => loadPublicKey(text, 'key.pub'));
      },
    ),
    { numRuns: 400 },
  );
});
