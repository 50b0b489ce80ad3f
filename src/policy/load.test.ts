import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { BulwarkError } from '../core/errors.js';
import { loadPolicy, parsePolicy, yamlPath } from './load.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const productionText = readFileSync(join(fixtures, 'production.yaml'), 'utf8');
const cosignPub = readFileSync(join(fixtures, 'cosign.pub'), 'utf8');
const PEM_INLINE = JSON.stringify(cosignPub);
const HEAD = 'apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata:\n  name: p\nspec:\n';

/** The one-line error parsePolicy throws for a document (spec lines indented by the caller). */
function errorOf(text: string, baseDir = fixtures): BulwarkError {
  try {
    parsePolicy(text, 'p.yaml', baseDir);
  } catch (e) {
    assert.ok(e instanceof BulwarkError, `not a BulwarkError: ${String(e)}`);
    assert.equal(e.code, 'POLICY');
    assert.equal(e.input, 'p.yaml');
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

test('load: the production policy, key file resolved against the policy directory, inline key kept', () => {
  const p = loadPolicy(join(fixtures, 'production.yaml'));
  assert.equal(p.name, 'production');
  assert.equal(p.keys.get('release'), cosignPub);
  assert.match(p.keys.get('ci')!, /^-----BEGIN PUBLIC KEY-----\nMFkw[^]*-----END PUBLIC KEY-----\n$/);
  assert.deepEqual(p.signatures, { keys: ['release'], minimum: 1 });
  assert.deepEqual(p.attestations, [
    { predicateType: 'https://cyclonedx.org/bom', keys: ['release', 'ci'], minimum: 1 },
    { predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1', keys: ['release'], minimum: 1 },
  ]);
  assert.deepEqual(p.vulnerabilities, {
    maxSeverity: 'HIGH',
    fixableOnly: true,
    ignore: ['CVE-2023-0001'],
    unknownAs: 'UNKNOWN',
  });
  assert.deepEqual(p.maxScanAge, { ms: 86_400_000, text: '24h' });
  assert.deepEqual(p.mutableTags, { tags: ['latest', '*-SNAPSHOT'] });
  assert.equal(p.requireDigest, false);
  assert.deepEqual(
    p.baseImages?.map((b) => [b.name, b.layers.length]),
    [
      ['debian-12', 1],
      ['distroless', 2],
    ],
  );
  // a relative policy path works from another directory too
  const rel = relative(process.cwd(), join(fixtures, 'production.yaml'));
  assert.equal(loadPolicy(rel).keys.get('release'), cosignPub);
});

test('load: defaults — signatures by any policy key, minimum 1; mutable tags [latest]; unset rules absent', () => {
  const p = parsePolicy(
    `${HEAD}  keys: [{ name: a, path: cosign.pub }, { name: b, publicKey: ${PEM_INLINE} }]\n  signatures: {}\n  attestations: [{ predicateType: x }]\n  mutableTags: {}\n`,
    'p.yaml',
    fixtures,
  );
  assert.deepEqual(p.signatures, { keys: ['a', 'b'], minimum: 1 });
  assert.deepEqual(p.attestations, [{ predicateType: 'x', keys: ['a', 'b'], minimum: 1 }]);
  assert.deepEqual(p.mutableTags, { tags: ['latest'] });
  for (const k of ['registries', 'vulnerabilities', 'maxScanAge', 'baseImages'] as const)
    assert.equal(p[k], undefined, k);
  assert.deepEqual([p.allow, p.deny, p.requireDigest], [[], [], false]);
  const off = parsePolicy(
    `${HEAD}  signatures: { required: false }\n  mutableTags: { forbid: false }\n`,
    'p.yaml',
    fixtures,
  );
  assert.equal(off.signatures, undefined);
  assert.equal(off.mutableTags, undefined);
});

test('load: schema errors are one line naming the file, the YAML path and the line', () => {
  const cases: [string, string][] = [
    [
      '  vulnerabilities: { maxSeverity: hihg }\n',
      'p.yaml: spec.vulnerabilities.maxSeverity: expected one of none, unknown, low, medium, high, critical, got "hihg" (line 6)',
    ],
    [
      '  vulnerabilities: { fixableOnly: true }\n',
      'p.yaml: spec.vulnerabilities.maxSeverity: required field missing (line 6)',
    ],
    [
      '  vulnerabilities: { maxSeverity: low, unknownAs: none }\n',
      'p.yaml: spec.vulnerabilities.unknownAs: expected one of unknown, low, medium, high, critical, got "none" (line 6)',
    ],
    ['  registries: ghcr.io\n', 'p.yaml: spec.registries: expected a list, got "ghcr.io" (line 6)'],
    [
      '  registries: []\n',
      'p.yaml: spec.registries: expected at least one registry (leave the field out to allow any) (line 6)',
    ],
    [
      '  deny: [ubuntu]\n',
      'p.yaml: spec.deny[0]: "ubuntu": the first component must be a registry host such as docker.io, ghcr.io or 127.0.0.1:5000 (Docker Hub: docker.io/library/ubuntu) (line 6)',
    ],
    [
      '  deny: ["ubuntu:22.04"]\n',
      'p.yaml: spec.deny[0]: "ubuntu:22.04": the first component must be a registry host such as docker.io, ghcr.io or 127.0.0.1:5000 (Docker Hub: docker.io/library/ubuntu:22.04) (line 6)',
    ],
    [
      '  deny: [docker.io/ubuntu]\n',
      'p.yaml: spec.deny[0]: "docker.io/ubuntu": Docker Hub official images are named docker.io/library/ubuntu (line 6)',
    ],
    [
      '  allow: [index.docker.io/library/nginx]\n',
      'p.yaml: spec.allow[0]: "index.docker.io/library/nginx": write Docker Hub as docker.io (docker.io/library/nginx) (line 6)',
    ],
    [
      '  allow: [ghcr.io/Acme/app]\n',
      'p.yaml: spec.allow[0]: "ghcr.io/Acme/app": repository names are lowercase (line 6)',
    ],
    ['  allow: ["ghcr.io/acme app"]\n', 'p.yaml: spec.allow[0]: "ghcr.io/acme app": contains whitespace (line 6)'],
    [
      '  deny: [GHCR.io/acme]\n',
      'p.yaml: spec.deny[0]: "GHCR.io/acme": write the registry as images are named: ghcr.io/acme (line 6)',
    ],
    [
      '  deny: ["registry.example.com:443/team"]\n',
      'p.yaml: spec.deny[0]: "registry.example.com:443/team": write the registry as images are named: registry.example.com/team (line 6)',
    ],
    [
      '  registries: ["localhost:80"]\n',
      'p.yaml: spec.registries[0]: "localhost:80": write the registry as images are named: localhost (line 6)',
    ],
    [
      '  registries: ["*.Example.com"]\n',
      'p.yaml: spec.registries[0]: "*.Example.com": write the registry as images are named: *.example.com (line 6)',
    ],
    [
      '  deny: [Docker.io/library/ubuntu]\n',
      'p.yaml: spec.deny[0]: "Docker.io/library/ubuntu": write the registry as images are named: docker.io/library/ubuntu (line 6)',
    ],
    [
      '  maxScanAge: 86400\n',
      'p.yaml: spec.maxScanAge: expected a duration such as 30m, 24h or 7d, got 86400 (line 6)',
    ],
    [
      '  maxScanAge: 1 day\n',
      'p.yaml: spec.maxScanAge: expected a duration such as 30m, 24h or 7d, got "1 day" (line 6)',
    ],
    ['  requireDigest: yes\n', 'p.yaml: spec.requireDigest: expected true or false, got "yes" (line 6)'],
    [
      '  mutableTags: { tags: ["la test"] }\n',
      'p.yaml: spec.mutableTags.tags[0]: expected a tag or a tag glob such as latest or *-SNAPSHOT (line 6)',
    ],
    [
      '  baseImages:\n    - name: debian\n      layers: ["sha256:abc"]\n',
      'p.yaml: spec.baseImages[0].layers[0]: expected a layer digest sha256:<64 hex digits> (line 8)',
    ],
    [
      '  baseImages: []\n',
      'p.yaml: spec.baseImages: expected at least one base image (leave the field out to allow any) (line 6)',
    ],
    [
      '  keys: [{ name: a, path: cosign.pub }]\n  signatures: { minimum: 0 }\n',
      'p.yaml: spec.signatures.minimum: expected a number of at least 1 (line 7)',
    ],
    [
      '  keys: [{ name: a, path: cosign.pub }]\n  signatures: { minimum: 1.5 }\n',
      'p.yaml: spec.signatures.minimum: expected a whole number, got 1.5 (line 7)',
    ],
    [
      '  keys: [{ name: a, path: cosign.pub }]\n  signatures: { minimum: 2 }\n',
      'p.yaml: spec.signatures.minimum: minimum 2 is more than the 1 key(s) listed (line 7)',
    ],
    ['  signatures: { required: true }\n', 'p.yaml: spec.signatures: needs keys, but spec.keys defines none (line 6)'],
    ['  keys: [{ name: a }]\n', 'p.yaml: spec.keys[0]: expected exactly one of path or publicKey (line 6)'],
    [
      '  keys: [{ name: a, path: cosign.pub, publicKey: x }]\n',
      'p.yaml: spec.keys[0]: expected exactly one of path or publicKey (line 6)',
    ],
    [
      '  keys: [{ name: a, path: cosign.pub }, { name: a, path: cosign.pub }]\n',
      'p.yaml: spec.keys[1].name: duplicate key name a (line 6)',
    ],
    [
      '  keys: [{ name: "a b", path: cosign.pub }]\n',
      'p.yaml: spec.keys[0].name: expected a key name (letters, digits, ".", "_", "-"; at most 63) (line 6)',
    ],
    [
      '  keys:\n    - name: a\n      publicKey: "ssh-ed25519 AAAA"\n',
      'p.yaml: spec.keys[0].publicKey: expected a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----) (line 8)',
    ],
    [
      '  keys: [{ name: a, path: production.yaml }]\n',
      `p.yaml: spec.keys[0].path: ${join(fixtures, 'production.yaml')} is not a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----) (line 6)`,
    ],
    [
      '  attestations: [{ keys: [a] }]\n',
      'p.yaml: spec.attestations[0].predicateType: required field missing (line 6)',
    ],
  ];
  for (const [spec, want] of cases) assert.equal(errorOf(HEAD + spec).message, want);
  assert.equal(
    errorOf('apiVersion: v1\nkind: ImagePolicy\nmetadata: { name: p }\nspec: {}\n').message,
    'p.yaml: apiVersion: expected bulwark.dev/v1, got "v1" (line 1)',
  );
  assert.equal(
    errorOf('apiVersion: bulwark.dev/v1\nkind: ClusterPolicy\nmetadata: { name: p }\nspec: {}\n').message,
    'p.yaml: kind: expected ImagePolicy, got "ClusterPolicy" (line 2)',
  );
  assert.equal(
    errorOf('apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nspec: {}\n').message,
    'p.yaml: metadata: required field missing (line 1)',
  );
  assert.equal(
    errorOf('apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: Production }\nspec: {}\n').message,
    'p.yaml: metadata.name: expected a lowercase name of letters, digits, "-" and "." (as Kubernetes names) (line 3)',
  );
  assert.equal(errorOf('just a string\n').message, 'p.yaml: expected a mapping, got "just a string" (line 1)');
  assert.equal(
    errorOf('').message,
    'p.yaml: empty document (expected an ImagePolicy: apiVersion, kind, metadata, spec)',
  );
  assert.equal(
    errorOf('# only a comment\n').message,
    'p.yaml: empty document (expected an ImagePolicy: apiVersion, kind, metadata, spec)',
  );
});

test('load: unknown fields are refused, with the nearest known name', () => {
  assert.equal(
    errorOf(`${HEAD}  signature: { required: true }\n`).message,
    'p.yaml: spec.signature: unknown field (did you mean signatures?) (line 6)',
  );
  assert.equal(
    errorOf(`${HEAD}  vulnerabilities: { maxSeverity: high, fixable: true }\n`).message,
    'p.yaml: spec.vulnerabilities.fixable: unknown field (fields here: maxSeverity, fixableOnly, ignore, unknownAs) (line 6)',
  );
  assert.equal(
    errorOf(`${HEAD}  baseImages:\n    - name: d\n      layer: []\n`).message,
    'p.yaml: spec.baseImages[0].layer: unknown field (did you mean layers?) (line 8)',
  );
  // a misspelt required field is reported as unknown, not as missing
  assert.equal(
    errorOf('apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetdata: { name: p }\nspec: {}\n').message,
    'p.yaml: metdata: unknown field (did you mean metadata?) (line 3)',
  );
  assert.equal(
    errorOf(`${HEAD}  keys: [{ name: a, path: cosign.pub, pem: x }]\n`).message,
    'p.yaml: spec.keys[0].pem: unknown field (fields here: name, path, publicKey) (line 6)',
  );
});

test('load: key names used by signatures and attestations must be defined', () => {
  const keys = '  keys: [{ name: release, path: cosign.pub }, { name: ci, path: cosign.pub }]\n';
  assert.equal(
    errorOf(`${HEAD}${keys}  signatures: { keys: [relase] }\n`).message,
    'p.yaml: spec.signatures.keys[0]: unknown key relase (spec.keys defines release, ci) (line 7)',
  );
  assert.equal(
    errorOf(
      `${HEAD}${keys}  attestations:\n    - predicateType: https://cyclonedx.org/bom\n      keys: [ci, nightly]\n`,
    ).message,
    'p.yaml: spec.attestations[0].keys[1]: unknown key nightly (spec.keys defines release, ci) (line 9)',
  );
  assert.equal(
    errorOf(`${HEAD}${keys}  signatures: { keys: [ci, ci] }\n`).message,
    'p.yaml: spec.signatures.keys[1]: key ci listed twice (line 7)',
  );
  assert.equal(
    errorOf(`${HEAD}  signatures: { keys: [release] }\n`).message,
    'p.yaml: spec.signatures.keys[0]: unknown key release (spec.keys defines none) (line 6)',
  );
});

test('load: a missing key file names the resolved path', () => {
  const e = errorOf(`${HEAD}  keys:\n    - name: release\n      path: keys/missing.pub\n`);
  assert.equal(
    e.message,
    `p.yaml: spec.keys[0].path: cannot read key file ${join(fixtures, 'keys', 'missing.pub')}: no such file (line 8)`,
  );
  assert.match(
    errorOf(`${HEAD}  keys: [{ name: d, path: . }]\n`).message,
    /^p\.yaml: spec\.keys\[0\]\.path: cannot read key file .*fixtures: EISDIR \(line 6\)$/,
  );
});

test('load: YAML syntax errors give the line and column', () => {
  assert.equal(
    errorOf(`${HEAD}  registries: [ghcr.io\n  deny: []\n`).message.slice(0, 40),
    'p.yaml: line 7, column 3: invalid YAML: ',
  );
  assert.match(
    errorOf(`${HEAD}  deny: []\n  deny: [x.io]\n`).message,
    /^p\.yaml: line 7, column 3: invalid YAML: Map keys must be unique/,
  );
  assert.match(errorOf(`${HEAD}\tdeny: []\n`).message, /^p\.yaml: line 6, column 1: invalid YAML: /);
  assert.match(
    errorOf(`${HEAD}  deny: []\n---\nkind: x\n`).message,
    /^p\.yaml: line \d+, column \d+: invalid YAML: .*multiple documents/,
  );
  assert.equal(
    errorOf(`${HEAD}  registries: [*.acme.io]\n`).message,
    'p.yaml: line 6, column 16: invalid YAML: Unresolved alias (the anchor must be set before the alias): .acme.io (quote values that start with *)',
  );
  assert.match(errorOf('a: &x [*x]\n').message, /^p\.yaml: /);
});

test('load: a missing policy file is NOT_FOUND naming it', () => {
  assert.throws(
    () => loadPolicy(join(fixtures, 'nope.yaml')),
    (e: unknown) =>
      e instanceof BulwarkError &&
      e.code === 'NOT_FOUND' &&
      e.message === `${join(fixtures, 'nope.yaml')}: no such policy file`,
  );
});

test('yamlPath: dotted names, [index], quoted odd keys', () => {
  assert.equal(yamlPath(['spec', 'keys', 0, 'path']), 'spec.keys[0].path');
  assert.equal(yamlPath(['metadata', 'labels', 'app.kubernetes.io/name']), 'metadata.labels["app.kubernetes.io/name"]');
  assert.equal(yamlPath([]), '');
});

// Whatever the text, parsePolicy returns a policy or throws a BulwarkError: nothing else.
function onlyBulwarkErrors(text: string): void {
  try {
    parsePolicy(text, 'p.yaml', fixtures);
  } catch (e) {
    if (!(e instanceof BulwarkError)) throw e;
    assert.equal(e.code, 'POLICY');
    assert.ok(!e.message.includes('\n'), e.message);
  }
}

test('property: arbitrary text never throws anything but a one-line BulwarkError', () => {
  const yamlish = fc.string({ unit: fc.constantFrom(...'abc:-[]{}#&*!|>\'"%@`,? \n\t0123.'.split('')), maxLength: 80 });
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), yamlish),
      onlyBulwarkErrors,
    ),
    { numRuns: 3000 },
  );
});

test('property: the production policy with any part replaced by any value never throws anything else', () => {
  const doc = parseYaml(productionText) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      'cosign.pub',
      '/',
      '.',
      '../fixtures/cosign.pub',
      'NONE',
      'latest',
      '**',
      'sha256:',
      '7d',
      '0s',
      -1,
      0,
      1e308,
    ),
  );
  fc.assert(
    fc.property(fc.constantFrom(...paths.slice(1)), value, fc.boolean(), (path, v, addKey) => {
      const copy = structuredClone(doc);
      let o = copy as Record<string | number, unknown>;
      for (const seg of path.slice(0, -1)) o = o[seg] as Record<string | number, unknown>;
      const last = path[path.length - 1]!;
      if (addKey && typeof o === 'object' && !Array.isArray(o)) o[`${String(last)}x`] = v;
      else o[last] = v;
      onlyBulwarkErrors(stringify(copy));
    }),
    { numRuns: 800 },
  );
});
