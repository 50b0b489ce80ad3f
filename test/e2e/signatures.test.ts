import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from '../../src/registry/client.js';
import { bulwark } from '../support/fixtures.js';
import { dockerArchive } from '../support/image-writer.js';
import { makeTar } from '../support/layers.js';
import { skopeoCopy } from '../support/registry.js';
import { secureRegistrySuite, type SecureRegistry } from '../support/secure-registry.js';

// Acceptance 3 of the registry issue: cosign-format signatures, stored where skopeo looks
// for them, a signature moved to another digest, a payload altered and a wrong key each
// failing with their reason. Debian's docker-registry with TLS and htpasswd on a loopback
// port. Debian builds containers/image with sigstore signing and verification stubbed out
// ("Debian-local change: sigstore disabled" in signature/sigstore/sign.go and
// policy_eval_sigstore.go), so skopeo here can neither make nor check the cryptography;
// what it still does is find sigstore attachments (a policy needing one tells "no
// signature exists" from "cannot verify") and carry them when it copies an image. The
// crypto itself is checked against openssl and Python's cryptography/PyNaCl in src/signing.

const KEY_PASSWORD = 'k3y pass';

let registriesD = '';

async function pushTestImage(r: SecureRegistry, name: string, version: string, dest: string): Promise<void> {
  const tar = await makeTar([
    { name: 'etc/os-release', content: `ID=alpine\nVERSION_ID=${version}\n` },
    { name: 'lib/apk/db/installed', content: `P:musl\nV:1.2.4-r${version.length}\nA:x86_64\n\n` },
  ]);
  const file = join(r.tmp.path, `${name}.tar`);
  writeFileSync(file, await dockerArchive([{ tar, createdBy: `ADD ${name}` }]));
  await skopeoCopy(`docker-archive:${file}`, `docker://${r.reg.host}/${dest}`, {
    creds: `${r.user}:${r.pass}`,
    certDir: r.certs.certDir,
    format: 'oci',
  });
}

const suite = secureRegistrySuite('carol', 'sign me', async (r) => {
  // containers/image reads and writes cosign's ".sig" tags only where registries.d says so
  registriesD = join(r.tmp.path, 'registries.d');
  mkdirSync(registriesD);
  writeFileSync(join(registriesD, 'test.yaml'), `docker:\n  ${r.reg.host}:\n    use-sigstore-attachments: true\n`);
  await pushTestImage(r, 'a', '3.19.1', 'team/app:1.0');
  await pushTestImage(r, 'b', '3.19.22', 'team/app:2.0');
});

const env = (): Record<string, string> => suite.get().env({ COSIGN_PASSWORD: KEY_PASSWORD });
const ca = (): string[] => suite.get().ca();

function keyPair(prefix: string): { key: string; pub: string } {
  const p = join(suite.get().tmp.path, prefix);
  const r = bulwark(['key', 'generate', '--output-key-prefix', p], env());
  assert.equal(r.code, 0, r.stderr);
  return { key: `${p}.key`, pub: `${p}.pub` };
}

/** skopeo copy under a policy (JSON), reading and writing sigstore attachments at the test registry. */
function skopeo(policy: object, from: string, to: string): { code: number; stderr: string } {
  const { tmp, certs, user, pass } = suite.get();
  const file = join(tmp.path, `policy-${Date.now()}-${Math.random()}.json`);
  writeFileSync(file, JSON.stringify(policy));
  const tls = (side: string): string[] => [`--${side}-cert-dir`, certs.certDir, `--${side}-creds`, `${user}:${pass}`];
  const r = spawnSync(
    'skopeo',
    [
      '--policy',
      file,
      '--registries.d',
      registriesD,
      'copy',
      '-q',
      ...tls('src'),
      ...(to.startsWith('docker://') ? tls('dest') : []),
      from,
      to,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** skopeo with a policy that demands sigstore signatures by `pub` for the test registry. */
function skopeoVerifiedCopy(ref: string, pub: string): { code: number; stderr: string } {
  const policy = {
    default: [{ type: 'reject' }],
    transports: {
      docker: {
        [suite.get().reg.host]: [{ type: 'sigstoreSigned', keyPath: pub, signedIdentity: { type: 'matchRepository' } }],
      },
      dir: { '': [{ type: 'insecureAcceptAnything' }] },
    },
  };
  return skopeo(policy, `docker://${ref}`, `dir:${join(suite.get().tmp.path, `copy-${Date.now()}-${Math.random()}`)}`);
}

/** skopeo copy between repositories of the test registry, signatures included. */
function skopeoMirror(from: string, to: string): void {
  const r = skopeo({ default: [{ type: 'insecureAcceptAnything' }] }, `docker://${from}`, `docker://${to}`);
  assert.equal(r.code, 0, `skopeo copy failed: ${r.stderr}`);
}

test('an image signed by Bulwark verifies in Bulwark, is found and carried by skopeo; unsigned and wrong-key images do not verify', async (t) => {
  if (!suite.ready(t)) return;
  const { reg } = suite.get();
  const { key, pub } = keyPair('release');
  const other = keyPair('other');
  const ref = `${reg.host}/team/app:1.0`;
  assert.match(skopeoVerifiedCopy(ref, pub).stderr, /A signature was required, but no signature exists/);
  const unsigned = bulwark(['verify', ref, '--key', pub, ...ca()], env());
  assert.equal(unsigned.code, 1);
  assert.match(
    unsigned.stderr,
    /^bulwark: .*team\/app:1\.0: verification failed: no signatures: sha256-[0-9a-f]{64}\.sig does not exist \[fetch: NOT_SIGNED\]\n$/,
  );

  const signed = bulwark(['sign', ref, '--key', key, ...ca()], env());
  assert.equal(signed.code, 0, signed.stderr);
  const v = bulwark(['verify', ref, '--key', pub, ...ca()], env());
  assert.equal(v.code, 0, v.stderr);
  const payloads = JSON.parse(v.stdout) as {
    critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string } };
  }[];
  const c = await suite.get().client();
  try {
    const digest = (await c.headManifest('team/app', '1.0'))!.digest;
    assert.equal(payloads.length, 1);
    assert.equal(payloads[0]!.critical.image['docker-manifest-digest'], digest);
    assert.equal(
      payloads[0]!.critical.identity['docker-reference'],
      `${reg.host}/team/app`,
      'the repository, as cosign writes it',
    );
  } finally {
    c.close();
  }
  const byOther = bulwark(['verify', ref, '--key', other.pub, ...ca()], env());
  assert.equal(byOther.code, 1);
  assert.match(
    byOther.stderr,
    /verification failed: signature 1: not signed by the key .*other\.pub.* \[check signature: BAD_SIGNATURE\]/,
  );

  // skopeo finds the signature: where sigstore is built in it verifies, on Debian it gets as far as the stubbed check
  const sk = skopeoVerifiedCopy(ref, pub);
  if (sk.code !== 0) assert.match(sk.stderr, /sigstore disabled/, `skopeo refused Bulwark's signature: ${sk.stderr}`);
  assert.doesNotMatch(sk.stderr, /no signature exists/);
  // skopeo carries the signature to a mirror; there it names the repository it was made for
  skopeoMirror(ref, `${reg.host}/mirror/app:1.0`);
  const mirrored = bulwark(['verify', `${reg.host}/mirror/app:1.0`, '--key', pub, ...ca()], env());
  assert.equal(mirrored.code, 1);
  assert.ok(
    mirrored.stderr.includes(`signature 1: signed for ${reg.host}/team/app, not for repository ${reg.host}/mirror/app`),
    mirrored.stderr,
  );
  const asSigned = bulwark(
    ['verify', `${reg.host}/mirror/app:1.0`, '--key', pub, '--identity', `${reg.host}/team/app`, ...ca()],
    env(),
  );
  assert.equal(asSigned.code, 0, asSigned.stderr);
  // signing again with the same key adds nothing; a second key adds a second signature
  assert.equal(bulwark(['sign', ref, '--key', key, ...ca()], env()).code, 0);
  assert.equal(bulwark(['sign', ref, '--key', other.key, ...ca()], env()).code, 0);
  const both = bulwark(['verify', ref, '--key', pub, '--key', other.pub, ...ca()], env());
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual((JSON.parse(both.stdout) as { key: string }[]).map((p) => p.key).sort(), [other.pub, pub].sort());
});

interface SigManifest {
  layers: { digest: string; size: number; mediaType: string; annotations: Record<string, string> }[];
}

test('a signature moved to another digest, or with its payload altered, fails with the reason', async (t) => {
  if (!suite.ready(t)) return;
  const { tmp, reg, certs, user: USER, pass: PASS } = suite.get();
  const { key, pub } = keyPair('tamper');
  for (const [tag, file] of [
    ['1.0', 'a.tar'],
    ['2.0', 'b.tar'],
  ] as const) {
    await skopeoCopy(`docker-archive:${join(tmp.path, file)}`, `docker://${reg.host}/team/tamper:${tag}`, {
      creds: `${USER}:${PASS}`,
      certDir: certs.certDir,
      format: 'oci',
    });
  }
  assert.equal(bulwark(['sign', `${reg.host}/team/tamper:1.0`, '--key', key, ...ca()], env()).code, 0);
  const c = await suite.get().client();
  try {
    const a = (await c.headManifest('team/tamper', '1.0'))!.digest;
    const b = (await c.headManifest('team/tamper', '2.0'))!.digest;
    const sigTag = (d: string): string => `${d.replace(':', '-')}.sig`;
    const sig = await c.getManifest('team/tamper', sigTag(a));

    // re-tagged: A's signature served as B's
    await c.putManifest('team/tamper', sigTag(b), sig.bytes, sig.mediaType);
    const moved = bulwark(['verify', `${reg.host}/team/tamper:2.0`, '--key', pub, ...ca()], env());
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, new RegExp(`signature 1: signed for ${a}, not for this image \\(${b}\\)`));

    // tampered: A's payload changed (an extra claim), the old signature kept
    const m = JSON.parse(sig.bytes.toString()) as SigManifest;
    const payload = JSON.parse((await c.readBlob('team/tamper', m.layers[0]!.digest, 1 << 20)).toString()) as {
      optional: unknown;
    };
    payload.optional = { approved: 'yes' };
    const evil = Buffer.from(JSON.stringify(payload));
    await c.pushBlob('team/tamper', evil);
    m.layers[0] = { ...m.layers[0]!, digest: digestOf(evil), size: evil.length };
    await c.putManifest('team/tamper', sigTag(a), Buffer.from(JSON.stringify(m)), sig.mediaType);
    const altered = bulwark(['verify', `${reg.host}/team/tamper:1.0`, '--key', pub, ...ca()], env());
    assert.equal(altered.code, 1);
    assert.match(altered.stderr, /signature 1: not signed by the key .*tamper\.pub \(or the payload was altered\)/);
  } finally {
    c.close();
  }
});

test('bad key material and passwords give one-line errors with exit code 2', async (t) => {
  if (!suite.ready(t)) return;
  const { tmp, reg } = suite.get();
  const { key } = keyPair('pw-check');
  const ref = `${reg.host}/team/app:1.0`;
  const wrong = bulwark(['sign', ref, '--key', key, ...ca()], { ...env(), COSIGN_PASSWORD: 'not it' });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^bulwark: KEY \(key error\): .*pw-check\.key: .*wrong password or corrupt key\n$/);
  const notPem = join(tmp.path, 'not-a-key.pub');
  writeFileSync(notPem, 'hello\n');
  const bad = bulwark(['verify', ref, '--key', notPem, ...ca()], env());
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^bulwark: CORRUPT \(corrupt data\): .*not-a-key\.pub: [^\n]+\n$/);
  const exists = bulwark(['key', 'generate', '--output-key-prefix', join(tmp.path, 'pw-check')], env());
  assert.equal(exists.code, 2);
  assert.match(exists.stderr, /pw-check\.key: already exists/);
  assert.equal(readFileSync(key, 'utf8').includes('ENCRYPTED'), true);
});
