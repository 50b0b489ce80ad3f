import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITIES, type Severity } from '../../src/core/types.js';
import { bulwark } from '../support/fixtures.js';
import { dockerArchive } from '../support/image-writer.js';
import { makeTar } from '../support/layers.js';
import { skopeoCopy } from '../support/registry.js';
import { secureRegistrySuite } from '../support/secure-registry.js';
import { waitUntil } from '../support/wait.js';

// Acceptance 2 and 4 of the registry issue: the push gate refuses a failing image (nothing
// reaches the registry) and pushes, signs and attests a passing one; a policy matrix over
// images really in a registry (signed or not, by which key, which repository, which
// vulnerabilities, which tag, which base layers) gives the expected verdicts. Debian's
// docker-registry with TLS and htpasswd; the real PyPI advisories from ../shared/data.

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'osv', 'PyPI');

let db = '';
const files: Record<string, string> = {};
let baseDiffId = '';
let release = { key: '', pub: '' };
let other = { key: '', pub: '' };
let worstVuln: Severity = 'UNKNOWN';

const env = (): Record<string, string> => suite.get().env({ COSIGN_PASSWORD: 'pw', BULWARK_DB: db });
const ca = (): string[] => suite.get().ca();

function distInfo(name: string, version: string): { name: string; content: string } {
  return {
    name: `usr/lib/python3/dist-packages/${name}-${version}.dist-info/METADATA`,
    content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
  };
}

function keyPair(prefix: string): { key: string; pub: string } {
  const p = join(suite.get().tmp.path, prefix);
  const r = bulwark(['key', 'generate', '--output-key-prefix', p], env());
  assert.equal(r.code, 0, r.stderr);
  return { key: `${p}.key`, pub: `${p}.pub` };
}

const suite = secureRegistrySuite('dave', 'push it', async ({ tmp }) => {
  db = join(tmp.path, 'vuln.db');
  const imported = bulwark(['db', 'import', DATA, '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);

  const base = await makeTar([
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
    { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' },
  ]);
  baseDiffId = `sha256:${createHash('sha256').update(base).digest('hex')}`;
  const otherBase = await makeTar([
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' },
    { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r0\nA:x86_64\n\n' },
  ]);
  const app = await makeTar([{ name: 'app/run.sh', content: '#!/bin/sh\necho hello\n' }]);
  const vulnerable = await makeTar([distInfo('urllib3', '1.24.1'), distInfo('pip', '23.2.1')]);
  const write = async (name: string, layers: Buffer[]): Promise<void> => {
    files[name] = join(tmp.path, `${name}.tar`);
    writeFileSync(files[name], await dockerArchive(layers.map((tar, i) => ({ tar, createdBy: `layer ${i}` }))));
  };
  await write('clean', [base, app]);
  await write('vuln', [base, vulnerable]);
  await write('rogue', [otherBase, app]);

  // the worst severity among the vulnerable image's findings, as the scanner itself reports it
  const scanned = bulwark(['scan', 'image', files.vuln!, '-f', 'json', '-q', '--db', db]);
  assert.equal(scanned.code, 0, scanned.stderr);
  const findings = (JSON.parse(scanned.stdout) as { vulnerabilities: { findings: { severity: Severity }[] } })
    .vulnerabilities.findings;
  worstVuln = findings.map((f) => f.severity).sort((a, b) => SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a))[0]!;
  assert.ok(
    SEVERITIES.indexOf(worstVuln) >= SEVERITIES.indexOf('MEDIUM'),
    `urllib3 1.24.1 has rated advisories (worst: ${worstVuln})`,
  );

  release = keyPair('release');
  other = keyPair('other');
});

function policyFile(name: string, extra: { maxSeverity?: string; maxScanAge?: string } = {}): string {
  const { tmp, reg } = suite.get();
  const file = join(tmp.path, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: bulwark.dev/v1',
      'kind: ImagePolicy',
      `metadata: { name: ${name} }`,
      'spec:',
      `  registries: ["${reg.host}/team"]`,
      `  keys: [{ name: release, path: ${release.pub} }]`,
      '  signatures: { keys: [release] }',
      '  attestations:',
      '    - { predicateType: "https://cyclonedx.org/bom", keys: [release] }',
      '    - { predicateType: "https://cosign.sigstore.dev/attestation/vuln/v1", keys: [release] }',
      `  vulnerabilities: { maxSeverity: ${extra.maxSeverity ?? 'low'} }`,
      `  maxScanAge: ${extra.maxScanAge ?? '1h'}`,
      '  mutableTags: { tags: [latest] }',
      `  baseImages: [{ name: alpine-3.19, layers: ["${baseDiffId}"] }]`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Verdict {
  allowed: boolean;
  violations: { rule: string; message: string }[];
  notes: string[];
}

function check(ref: string, policy: string, more: string[] = []): Verdict & { code: number } {
  const r = bulwark(
    ['policy', 'check', `${suite.get().reg.host}/${ref}`, '--policy', policy, '-f', 'json', ...ca(), ...more],
    env(),
  );
  assert.ok(r.code === 0 || r.code === 1, `policy check ${ref}: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as Verdict), code: r.code };
}

const rules = (v: Verdict): string[] => v.violations.map((x) => x.rule).sort();

function push(source: string, dest: string, more: string[]): { code: number; stdout: string; stderr: string } {
  return bulwark(['push', files[source]!, `${suite.get().reg.host}/${dest}`, '-q', ...ca(), ...more], env());
}

test('the push gate refuses a failing image and sends nothing; a passing one is pushed, signed and attested', async (t) => {
  if (!suite.ready(t)) return;
  const { reg } = suite.get();
  const policy = policyFile('gate');
  const refused = push('vuln', 'team/vuln:1.0', ['--policy', policy, '--key', release.key]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /DENIED .*team\/vuln:1\.0/);
  assert.match(refused.stderr, /push refused, nothing was sent: \[vulnerabilities\] /);
  assert.doesNotMatch(
    refused.stderr,
    /\[signatures\]|\[attestations\]/,
    'the push would sign and attest with a policy key',
  );
  const c = await suite.get().client();
  try {
    assert.equal(await c.headManifest('team/vuln', '1.0'), undefined);
    assert.equal(await c.blobExists('team/vuln', baseDiffId), false, 'not even a layer was uploaded');
  } finally {
    c.close();
  }
  // --fail-on alone gates too
  const failOn = push('vuln', 'team/vuln:1.0', ['--fail-on', worstVuln]);
  assert.equal(failOn.code, 1);
  assert.match(failOn.stderr, new RegExp(`\\[fail-on\\] \\d+ vulnerabilit(y|ies) at ${worstVuln} or above`));

  const ok = push('clean', 'team/app:1.0', ['--policy', policy, '--key', release.key]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/team/app:1\\.0@sha256:[0-9a-f]{64}\\n$`));
  const digest = ok.stdout.trim().split('@')[1]!;
  assert.match(ok.stderr, /ALLOWED/);
  assert.match(ok.stderr, /Signed; signature at .*:sha256-[0-9a-f]{64}\.sig/);
  assert.equal((ok.stderr.match(/Attested; attestation at .*\.att/g) ?? []).length, 2);

  const v = bulwark(['verify', `${reg.host}/team/app@${digest}`, '--key', release.pub, ...ca()], env());
  assert.equal(v.code, 0, v.stderr);
  const sbom = bulwark(
    ['verify-attestation', `${reg.host}/team/app:1.0`, '--key', release.pub, '--type', 'cyclonedx', ...ca()],
    env(),
  );
  assert.equal(sbom.code, 0, sbom.stderr);
  const [bom] = JSON.parse(sbom.stdout) as {
    predicate: { bomFormat: string; components: { name: string; version: string }[] };
  }[];
  assert.equal(bom!.predicate.bomFormat, 'CycloneDX');
  assert.ok(bom!.predicate.components.some((x) => x.name === 'musl' && x.version === '1.2.4-r2'));
  const vuln = bulwark(
    ['verify-attestation', `${reg.host}/team/app:1.0`, '--key', release.pub, '--type', 'vuln', ...ca()],
    env(),
  );
  assert.equal(vuln.code, 0, vuln.stderr);
  const [scan] = JSON.parse(vuln.stdout) as {
    predicate: {
      metadata: { scanFinishedOn: string };
      scanner: { result: { vulnerabilities: { findings: unknown[] } } };
    };
  }[];
  assert.deepEqual(scan!.predicate.scanner.result.vulnerabilities.findings, []);
  assert.ok(Date.now() - Date.parse(scan!.predicate.metadata.scanFinishedOn) < 10 * 60_000);
  const wrongKey = bulwark(['verify-attestation', `${reg.host}/team/app:1.0`, '--key', other.pub, ...ca()], env());
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /attestation verification failed: attestation 1: not signed by/);
});

test('a policy matrix over images in the registry gives the expected verdicts', async (t) => {
  if (!suite.ready(t)) return;
  const { reg, certs, user, pass } = suite.get();
  const policy = policyFile('matrix');
  const lenient = policyFile('lenient', { maxSeverity: worstVuln.toLowerCase() });
  const stricter = policyFile('stricter', {
    maxSeverity: SEVERITIES[SEVERITIES.indexOf(worstVuln) - 1]!.toLowerCase(),
  });
  const signed = ['--key', release.key];
  // the images: pushed by Bulwark (signed and attested, or not) and by skopeo (nothing attached)
  for (const [src, dest, more] of [
    ['clean', 'team/app:1.0', signed],
    ['clean', 'team/app:latest', signed],
    ['clean', 'other/app:1.0', signed],
    ['rogue', 'team/rogue:1.0', signed],
    ['clean', 'team/other-key:1.0', ['--key', other.key]],
    ['vuln', 'team/vuln-signed:1.0', signed],
  ] as const) {
    const r = push(src, dest, [...more]);
    assert.equal(r.code, 0, `${dest}: ${r.stderr}`);
  }
  await skopeoCopy(`docker-archive:${files.vuln}`, `docker://${reg.host}/team/vuln-unsigned:1.0`, {
    creds: `${user}:${pass}`,
    certDir: certs.certDir,
    format: 'oci',
  });
  const c = await suite.get().client();
  const appDigest = (await c.headManifest('team/app', '1.0'))!.digest;
  c.close();

  const cases: [string, string, string[]][] = [
    ['team/app:1.0', policy, []],
    [`team/app@${appDigest}`, policy, []],
    ['team/app:latest', policy, ['mutable-tags']],
    ['team/app', policy, ['mutable-tags']],
    ['other/app:1.0', policy, ['registries']],
    ['team/rogue:1.0', policy, ['base-images']],
    ['team/other-key:1.0', policy, ['attestations', 'signatures']],
    ['team/vuln-unsigned:1.0', policy, ['attestations', 'signatures', 'vulnerabilities']],
    ['team/vuln-signed:1.0', policy, ['vulnerabilities']],
    ['team/vuln-signed:1.0', stricter, ['vulnerabilities']],
    ['team/vuln-signed:1.0', lenient, []],
  ];
  for (const [ref, p, want] of cases) {
    const v = check(ref, p);
    assert.deepEqual(rules(v), want, `${ref} under ${p}: ${JSON.stringify(v.violations)}`);
    assert.equal(v.allowed, want.length === 0);
    assert.equal(v.code, want.length === 0 ? 0 : 1);
  }
  // where the vulnerabilities came from: the signed attestation, or a scan made now
  assert.ok(check('team/vuln-signed:1.0', policy).notes.some((n) => /from the attested scan/.test(n)));
  assert.ok(check('team/vuln-unsigned:1.0', policy).notes.some((n) => /scanned now/.test(n)));
  const noScan = check('team/vuln-unsigned:1.0', policy, ['--no-scan']);
  assert.deepEqual(rules(noScan), ['attestations', 'scan-age', 'signatures', 'vulnerabilities']);

  // an attested scan grows old
  const fresh = policyFile('fresh', { maxScanAge: '10s' });
  const pushedAt = Date.now();
  assert.equal(push('clean', 'team/fresh:1.0', signed).code, 0);
  assert.deepEqual(rules(check('team/fresh:1.0', fresh)), [], 'checked within seconds of the push');
  // the attested scan finished during the push, so it cannot be 10 s old before pushedAt + 10 s: only then is the CLI asked
  let stale: (Verdict & { code: number }) | undefined;
  const aged = (): boolean =>
    Date.now() - pushedAt > 10_000 && rules((stale = check('team/fresh:1.0', fresh, ['--no-scan']))).length > 0;
  await waitUntil('a policy check of team/fresh:1.0 to report the attested scan as too old', aged, {
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  assert.ok(stale);
  assert.deepEqual(rules(stale), ['scan-age']);
  assert.match(stale.violations[0]!.message, /10s/);

  const text = bulwark(['policy', 'check', `${reg.host}/team/vuln-unsigned:1.0`, '--policy', policy, ...ca()], env());
  assert.equal(text.code, 1);
  assert.match(
    text.stdout,
    /^DENIED .*team\/vuln-unsigned:1\.0 \(sha256:[0-9a-f]{64}\) by policy matrix\n {2}✗ \[signatures\] /,
  );
});
