import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { requireAll } from '../../test/support/require.js';
import { pae, parseEnvelope, signEnvelope, verifyEnvelope } from './dsse.js';
import {
  COSIGN_PRIVATE_KEY_PEM,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  publicKeyPem,
  SIGSTORE_PRIVATE_KEY_PEM,
} from './keys.js';
import { COSIGN_SCRYPT } from './encrypted.js';
import { IN_TOTO_PAYLOAD_TYPE, makeStatement, PREDICATE_CYCLONEDX } from './in-toto.js';
import { signBytes, verifyBytes } from './signature.js';
import { simpleSigningPayload } from './simple-signing.js';
import { throwsCode } from '../../test/support/codes.js';

// Independent implementations as test oracles (Debian's skopeo is built without sigstore, so
// there is no cosign-compatible tool to check against): Python scripts in fixtures/ that
// implement the formats from their descriptions with hashlib.scrypt, PyNaCl (libsodium),
// pyca/cryptography and securesystemslib's signer API. Requests go as JSON on stdin.

const FIXTURES = join(import.meta.dirname, 'fixtures');

// Debian package → module it provides. They install for Debian's /usr/bin/python3, which
// another python3 earlier on PATH (pyenv, a venv) does not see, so both are tried.
const MODULES: Record<string, string> = {
  'python3-nacl': 'nacl.secret',
  'python3-cryptography': 'cryptography.hazmat.primitives.asymmetric.ec',
  'python3-securesystemslib': 'securesystemslib.signer',
};

let found: { exe: string | undefined; have: Record<string, boolean> } | undefined;

function probePython(): { exe: string | undefined; have: Record<string, boolean> } {
  if (found) return found;
  let best: Record<string, boolean> = { python3: false };
  for (const exe of ['python3', '/usr/bin/python3']) {
    if (spawnSync(exe, ['-c', ''], { stdio: 'ignore' }).status !== 0) continue;
    const have: Record<string, boolean> = { python3: true };
    for (const [pkg, mod] of Object.entries(MODULES))
      have[pkg] = spawnSync(exe, ['-I', '-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
    if (Object.values(have).every(Boolean)) return (found = { exe, have });
    if (!best.python3) best = have;
  }
  return (found = { exe: undefined, have: best });
}

/** The Python interpreter with every module, or undefined after skipping t (failing under CI). */
function python(t: TestContext): string | undefined {
  const { exe, have } = probePython();
  return requireAll(t, have) ? exe : undefined;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runScript(py: string, script: string, args: string[], request: unknown): Run {
  const r = spawnSync(py, ['-I', '-B', join(FIXTURES, script), ...args], {
    input: JSON.stringify(request),
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The script's JSON answer; a non-zero exit fails the test with its stderr. */
function ask<T>(py: string, script: string, args: string[], request: unknown): T {
  const r = runScript(py, script, args, request);
  assert.equal(r.status, 0, `${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-signing-oracle-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
const WRONG_PASSWORD_EXIT = 3;

test('oracle: a key generateKeyPair wrote opens with scrypt + libsodium secretbox in Python; its signature verifies here', (t) => {
  const py = python(t);
  if (!py) return;
  inTempDir((dir) => {
    for (const password of ['correct horse battery staple', '', 'pässwörd ✓']) {
      const pair = generateKeyPair(password);
      writeFileSync(join(dir, 'cosign.key'), pair.privatePem, { mode: 0o600 });
      const message = Buffer.from(`signed in Python with ${JSON.stringify(password)}`);
      const got: { publicPem: string; signature: string; params: unknown; saltLength: number } = ask(
        py,
        'cosign_key.py',
        ['decrypt-sign'],
        {
          dir,
          password,
          message: b64(message),
        },
      );
      assert.deepEqual(got.params, COSIGN_SCRYPT);
      assert.equal(got.saltLength, 32);
      assert.equal(got.publicPem, pair.publicPem, 'Python derives the same public key from the decrypted PKCS#8');
      const pub = loadPublicKey(pair.publicPem, 'cosign.pub');
      assert.ok(verifyBytes(pub, message, got.signature), 'the Python signature verifies with our verifyBytes');
      assert.ok(!verifyBytes(pub, Buffer.concat([message, Buffer.from('!')]), got.signature));

      const wrong = runScript(py, 'cosign_key.py', ['decrypt-sign'], {
        dir,
        password: `${password}x`,
        message: b64(message),
      });
      assert.equal(
        wrong.status,
        WRONG_PASSWORD_EXIT,
        `a wrong password must not open the box in Python: ${wrong.stderr}`,
      );
      rmSync(join(dir, 'cosign.key'));
    }
  });
});

test('oracle: a key file Python sealed (cosign’s parameters, both block types) loads here; our signature verifies in Python', (t) => {
  const py = python(t);
  if (!py) return;
  for (const blockType of [COSIGN_PRIVATE_KEY_PEM, SIGSTORE_PRIVATE_KEY_PEM]) {
    inTempDir((dir) => {
      const password = 'from python ✓';
      ask(py, 'cosign_key.py', ['create'], { dir, password, blockType, ...COSIGN_SCRYPT });
      assert.equal(statSync(join(dir, 'cosign.key')).mode & 0o777, 0o600);
      const privatePem = readFileSync(join(dir, 'cosign.key'), 'utf8');
      const publicPem = readFileSync(join(dir, 'cosign.pub'), 'utf8');
      assert.ok(privatePem.startsWith(`-----BEGIN ${blockType}-----\n`));

      const priv = loadPrivateKey(privatePem, password, 'cosign.key');
      assert.equal(publicKeyPem(priv), publicPem, 'the key we decrypt is the one Python sealed');
      assert.equal(publicKeyPem(loadPublicKey(publicPem, 'cosign.pub')), publicPem);
      const message = Buffer.from(`signed by Bulwark, ${blockType}`);
      const signature = signBytes(priv, message);
      assert.deepEqual(ask(py, 'cosign_key.py', ['verify'], { publicPem, message: b64(message), signature }), {
        ok: true,
      });
      assert.deepEqual(ask(py, 'cosign_key.py', ['verify'], { publicPem, message: b64('other'), signature }), {
        ok: false,
      });
    });
  }
});

test('oracle: a key file Python sealed, opened with a wrong password, is our KEY error naming the file', (t) => {
  const py = python(t);
  if (!py) return;
  inTempDir((dir) => {
    // Cheap scrypt parameters: the reader takes them from the file, so this is still a real document.
    ask(py, 'cosign_key.py', ['create'], {
      dir,
      password: 'right',
      blockType: COSIGN_PRIVATE_KEY_PEM,
      N: 1024,
      r: 8,
      p: 1,
    });
    const privatePem = readFileSync(join(dir, 'cosign.key'), 'utf8');
    for (const password of ['wrong', '', 'Right', 'right ']) {
      throwsCode(() => loadPrivateKey(privatePem, password, 'cosign.key'), 'KEY', 'cosign.key');
    }
    assert.equal(
      publicKeyPem(loadPrivateKey(privatePem, 'right', 'cosign.key')),
      readFileSync(join(dir, 'cosign.pub'), 'utf8'),
    );
  });
});

// Payload types and bodies where a character count and a byte count differ, empty ones, and
// bodies with spaces and digits that a sloppy length field could be confused with.
const PAE_CASES: [string, Buffer][] = [
  ['http://example.com/HelloWorld', Buffer.from('hello world')],
  ['', Buffer.alloc(0)],
  [IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}')],
  ['application/vnd.dev.sigstore.bundle+json;version=0.1', Buffer.from(' 12 ')],
  ['tÿpe ✓ 𝄞', Buffer.from([0x00, 0xff, 0xfe, 0x20, 0x31])],
  ['x', Buffer.alloc(1000, 0x41)],
];

test('oracle: our PAE is byte for byte the DSSE spec’s, as a Python implementation writes it', (t) => {
  const py = python(t);
  if (!py) return;
  const generated = fc.sample(
    fc.tuple(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    ),
    200,
  );
  const cases = [...PAE_CASES, ...generated];
  const { pae: theirs } = ask<{ pae: string[] }>(py, 'dsse_oracle.py', ['pae'], {
    cases: cases.map(([payloadType, payload]) => ({ payloadType, payload: b64(payload) })),
  });
  assert.equal(theirs.length, cases.length);
  const differ = cases.filter(([type, body], i) => !pae(type, body).equals(Buffer.from(theirs[i] ?? '', 'base64')));
  assert.deepEqual(
    differ.map(([type, body]) => [type, b64(body)]),
    [],
  );
});

test('oracle: envelopes we sign verify in Python (securesystemslib and cryptography), tampered ones do not', (t) => {
  const py = python(t);
  if (!py) return;
  const pair = generateKeyPair('');
  const priv = loadPrivateKey(pair.privatePem, '', 'cosign.key');
  const statement = makeStatement('registry.example/app', `sha256:${'0f'.repeat(32)}`, PREDICATE_CYCLONEDX, {
    bomFormat: 'CycloneDX',
    specVersion: '1.4',
  });
  for (const [payloadType, payload] of [[IN_TOTO_PAYLOAD_TYPE, statement] as const, ...PAE_CASES]) {
    const env = signEnvelope(payloadType, payload, priv);
    const what = `${JSON.stringify(payloadType)} / ${b64(payload).slice(0, 40)}`;
    const verdict = (envelope: unknown): { payload: string; securesystemslib: boolean; cryptography: boolean } =>
      ask(py, 'dsse_oracle.py', ['verify'], { envelope: JSON.stringify(envelope), publicPem: pair.publicPem });
    assert.deepEqual(verdict(env), { payload: b64(payload), securesystemslib: true, cryptography: true }, what);
    // The signature covers the type: the same payload under another type is refused.
    assert.deepEqual(
      verdict({ ...env, payloadType: `${payloadType}x` }),
      { payload: b64(payload), securesystemslib: false, cryptography: false },
      what,
    );
    const other = Buffer.concat([payload, Buffer.from(' ')]);
    assert.deepEqual(
      verdict({ ...env, payload: b64(other) }),
      { payload: b64(other), securesystemslib: false, cryptography: false },
      what,
    );
  }
  // Python reads the in-toto statement we signed.
  const read = JSON.parse(statement.toString('utf8')) as {
    _type: string;
    subject: { digest: Record<string, string> }[];
  };
  assert.equal(read._type, 'https://in-toto.io/Statement/v0.1');
  assert.equal(read.subject[0]?.digest.sha256, '0f'.repeat(32));
});

test('oracle: envelopes securesystemslib signs in Python pass our verifyEnvelope; tampered ones and other keys do not', (t) => {
  const py = python(t);
  if (!py) return;
  const stranger = loadPublicKey(generateKeyPair('').publicPem, 'other.pub');
  for (const [payloadType, payload] of PAE_CASES) {
    const what = `${JSON.stringify(payloadType)} / ${b64(payload).slice(0, 40)}`;
    const { envelope, publicPem } = ask<{ envelope: string; publicPem: string }>(py, 'dsse_oracle.py', ['sign'], {
      payloadType,
      payload: b64(payload),
    });
    const key = loadPublicKey(publicPem, 'python.pub');
    const env = parseEnvelope(Buffer.from(envelope), 'python envelope');
    assert.match(env.signatures[0]?.keyid ?? '', /^[0-9a-f]{64}$/, 'securesystemslib names its key');
    assert.deepEqual(verifyEnvelope(env, key), payload, what);
    assert.equal(verifyEnvelope({ ...env, payloadType: `${payloadType} ` }, key), undefined, what);
    assert.equal(
      verifyEnvelope({ ...env, payload: b64(Buffer.concat([payload, Buffer.from('x')])) }, key),
      undefined,
      what,
    );
    assert.equal(verifyEnvelope(env, stranger), undefined, what);
  }
});

test('oracle: Python’s json reads our simple signing payload; the layout is Go’s; our signature over it verifies in Python', (t) => {
  const py = python(t);
  if (!py) return;
  const pair = generateKeyPair('');
  const priv = loadPrivateKey(pair.privatePem, '', 'cosign.key');
  const cases: [string, string, Record<string, string> | undefined][] = [
    ['registry.example/app', `sha256:${'ab'.repeat(32)}`, undefined],
    ['localhost:5000/team/app', `sha256:${'01'.repeat(32)}`, { tag: 'v1.2.3' }],
    ['r.example/a', `sha512:${'cd'.repeat(64)}`, { z: '1', a: '<&>', ü: 'naïve \u2028 ✓' }],
  ];
  for (const [ref, digest, optional] of cases) {
    const payload = simpleSigningPayload(ref, digest, optional);
    const got: Record<string, unknown> = ask(py, 'simple_signing.py', [], {
      payload: b64(payload),
      publicPem: pair.publicPem,
      signature: signBytes(priv, payload),
    });
    assert.deepEqual(got, {
      topLevelKeys: ['critical', 'optional'],
      criticalKeys: ['identity', 'image', 'type'],
      dockerReference: ref,
      manifestDigest: digest,
      type: 'cosign container image signature',
      optional: optional ?? null,
      goLayout: true,
      signatureOk: true,
    });
    const forged: { signatureOk: boolean } = ask(py, 'simple_signing.py', [], {
      payload: b64(simpleSigningPayload(`${ref}2`, digest, optional)),
      publicPem: pair.publicPem,
      signature: signBytes(priv, payload),
    });
    assert.equal(forged.signatureOk, false);
  }
});
