import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference } from '../registry/reference.js';
import { parseSimpleSigning, simpleSigningPayload } from '../signing/simple-signing.js';
import { signedIdentity } from './target.js';

// The docker-reference of a cosign payload. Oracle: sigstore's payload.Cosign writes
// Image.Repository.Name() (go-containerregistry: registry "/" repository, its default
// registry index.docker.io), never a tag or digest.

test('a signature names the repository only, as cosign writes it, however the image was named', () => {
  const D = `sha256:${'ab'.repeat(32)}`;
  for (const [ref, identity] of [
    ['registry.example.com/team/app:1.4', 'registry.example.com/team/app'],
    [`registry.example.com/team/app:1.4@${D}`, 'registry.example.com/team/app'],
    [`registry.example.com/team/app@${D}`, 'registry.example.com/team/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app'],
    ['busybox:1.36', 'index.docker.io/library/busybox'],
    ['docker.io/library/busybox:1.36', 'index.docker.io/library/busybox'],
    ['index.docker.io/acme/tool@' + D, 'index.docker.io/acme/tool'],
  ] as const) {
    assert.equal(signedIdentity(parseReference(ref)), identity, ref);
    const payload = parseSimpleSigning(simpleSigningPayload(signedIdentity(parseReference(ref)), D), ref);
    assert.ok(
      !/[:@]/.test(payload.dockerReference.split('/').slice(1).join('/')),
      `${ref}: no tag or digest in ${payload.dockerReference}`,
    );
  }
});
