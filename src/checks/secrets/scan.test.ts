import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CheckResult } from '../check.js';
import { SECRET_RULES } from './rules.js';
import { DEFAULT_MAX_BYTES, looksBinary, scanSecrets } from './scan.js';
import * as t from './fixtures/tokens.js';
import { cleanText } from './fixtures/bench.js';
import { pathologicalSecretInputs } from './fixtures/pathological.js';

test('binary content and content over the size limit are skipped, and say so', () => {
  const token = t.githubToken();
  assert.deepEqual(scanSecrets('/bin/tool', Buffer.concat([Buffer.from(`x${token}\0`), Buffer.alloc(100)])), {
    results: [],
    skipped: 'binary',
  });
  const controls = Buffer.alloc(1000, 0x01);
  controls.write(token, 500);
  assert.equal(scanSecrets('/data/blob', controls).skipped, 'binary');
  assert.equal(scanSecrets('/app/.env', Buffer.from(`T=${token}`), { maxBytes: 10 }).skipped, 'too-large');
  assert.equal(DEFAULT_MAX_BYTES, 10 * 1024 * 1024);
  assert.deepEqual(scanSecrets('/empty', Buffer.alloc(0)), { results: [] });
  // UTF-8, tabs, CR LF and ANSI colours are text.
  assert.equal(looksBinary(Buffer.from('héllo wörld\t\r\n\x1b[31mred\x1b[0m — ✓\n'.repeat(50))), false);
  assert.equal(
    scanSecrets('/app/notes.txt', Buffer.from(`naïve café\r\nGITHUB_TOKEN=${token}\r\n`)).results[0]!.location.line,
    2,
  );
});

test('results carry rule, line, field, layer and masked evidence and message', () => {
  const token = t.githubToken();
  const text = `line one\nline two\n  export GITHUB_TOKEN="${token}"  # ci\n`;
  const layer = { index: 2, diffId: 'sha256:' + 'ab'.repeat(32) };
  const { results } = scanSecrets('/app/ci.sh', Buffer.from(text), { layer });
  assert.deepEqual(results, [
    {
      checkId: 'BW-SEC-007',
      severity: 'CRITICAL',
      title: 'GitHub token',
      message: 'GitHub token: ghp_********',
      location: { path: '/app/ci.sh', line: 3, field: 'GITHUB_TOKEN', layer },
      evidence: 'export GITHUB_TOKEN="ghp_********"  # ci',
    },
  ]);
});

test("several secrets on one line are all masked in each other's evidence, and a repeated secret too", () => {
  const a = t.githubToken();
  const b = t.npmToken();
  const { results } = scanSecrets('/app/x.sh', Buffer.from(`A=${a} B=${b} again=${a}\nlater=${a}\n`));
  // The same value twice on a line is one finding; on another line, another.
  assert.deepEqual(
    results.map((r) => [r.checkId, r.location.line]),
    [
      ['BW-SEC-007', 1],
      ['BW-SEC-013', 1],
      ['BW-SEC-007', 2],
    ],
  );
  results.pop();
  for (const r of results) {
    assert.equal(r.evidence, 'A=ghp_******** B=npm_******** again=ghp_********');
    assert.ok(!JSON.stringify(r).includes(a.slice(4, 12)) && !JSON.stringify(r).includes(b.slice(4, 12)));
  }
});

test('evidence from a long minified line is a short window around the secret', () => {
  const token = t.githubToken();
  const line = `${'var a=1;'.repeat(5000)}var t="${token}";${'b();'.repeat(5000)}`;
  const [r] = scanSecrets('/app/bundle.min.js', Buffer.from(line)).results;
  assert.ok(r && r.evidence);
  assert.ok(r.evidence.length <= 125, `${r.evidence.length}`);
  assert.ok(r.evidence.includes('var t="ghp_********"'));
  assert.ok(r.evidence.startsWith('…') && r.evidence.endsWith('…'));
});

test('config-only rules need a config path; token rules run on any text file', () => {
  const pw = 'S3cr-' + t.randomBase62(12);
  assert.equal(scanSecrets('/app/.env', Buffer.from(`DB_PASSWORD=${pw}`)).results.length, 1);
  assert.equal(scanSecrets('/app/run.py', Buffer.from(`DB_PASSWORD=${pw}`)).results.length, 0);
  assert.equal(scanSecrets('/app/run.py', Buffer.from(`T="${t.githubToken()}"`)).results.length, 1);
});

test(
  'pathological inputs (runs that would make a backtracking pattern blow up) give their findings, evidence bounded',
  { timeout: 120_000 },
  () => {
    // the hang guard is the timeout; the times, and how they grow with the input, are in bench/linear-time.ts
    for (const [path, text, findings] of pathologicalSecretInputs(200_000)) {
      const { results } = scanSecrets(path, Buffer.from(text));
      assert.equal(results.length, findings, `${path} ${JSON.stringify(text.slice(0, 30))}`);
      for (const r of results) assert.ok(r.evidence!.length <= 125, r.evidence);
    }
  },
);

test("4 MiB of clean text (prose, code and config lines with the rules' keywords) has no findings", () => {
  const text = Buffer.from(cleanText(4 * 1024 * 1024));
  const r = scanSecrets('/app/src/big.js', text);
  assert.deepEqual(r.results, []);
  // its throughput: src/checks/secrets/fixtures/bench.ts (bench/README.md)
});

test('arbitrary bytes, and text built from rule keywords, never throw', () => {
  const words = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];
  const pieces = fc.oneof(
    fc.constantFrom(
      ...words,
      '=',
      ': ',
      '"',
      "'",
      '\n',
      '-----END PRIVATE KEY-----',
      '\\n',
      '@',
      '://',
      '.',
      '<!--',
      '-->',
    ),
    fc.string({ maxLength: 12 }),
  );
  const paths = fc.constantFrom(
    '/app/.env',
    '/app/config.json',
    '/root/.npmrc',
    '/root/.netrc',
    '/app/x.js',
    '/s.xml',
    '/a.yaml',
  );
  fc.assert(
    fc.property(
      paths,
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
        fc.array(pieces, { maxLength: 60 }).map((a) => Buffer.from(a.join(''))),
      ),
      (path, bytes) => {
        const r = scanSecrets(path, bytes);
        assert.ok(Array.isArray(r.results));
      },
    ),
    { numRuns: 300 },
  );
});

/** A checksummed token body (made by Python, see fixtures/tokens.ts) chosen by the generated string. */
function bodyFor(s: string): string {
  const bodies = t.checksummedBodies();
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return bodies[h % bodies.length]!;
}

const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];

/** Templates that embed a value as each family would see it: [path, text, the strings that must not leak]. */
const TEMPLATES: Array<(s: string) => [string, string, string[]]> = [
  (s) => ['/app/.env', `DB_PASSWORD=${s}`, [s]],
  (s) => ['/app/config.yaml', `db:\n  password: "${s}" # main`, [s]],
  (s) => ['/app/config.json', `{"password": "${s}", "user": "app"}`, [s]],
  (s) => ['/app/settings.py', `API_KEY = "${s}"`, [s]],
  (s) => ['/app/config.yaml', `url: postgres://app:${s}@db:5432/app`, [s]],
  (s) => ['/root/.npmrc', `//r.example.org/:_authToken=${s}`, [s]],
  (s) => ['/root/.netrc', `machine m login l password ${s}`, [s]],
  (s) => {
    const auth = Buffer.from(`ci:${s}`).toString('base64');
    return ['/root/.docker/config.json', JSON.stringify({ auths: { r: { auth } } }), [s, auth]];
  },
  (s) => {
    const tok = `ghp_${bodyFor(s)}`;
    return ['/app/ci.sh', `GH=${tok} again ${tok}`, [tok]];
  },
  (s) => {
    const tok = `npm_${bodyFor(s)}`;
    return ['/app/.npmrc', `//registry.npmjs.org/:_authToken=${tok}`, [tok]];
  },
  (s) => {
    const key = (s + 'Q7x/'.repeat(10)).slice(0, 40);
    return [
      '/root/.aws/credentials',
      `aws_access_key_id=AKIA${'QRSTUVWXYZ234567'}\naws_secret_access_key=${key}`,
      [key],
    ];
  },
  (s) => [`/app/pay.js`, `const k = "sk_live_${s}"; const k2 = 'sk_live_${s}';`, [`sk_live_${s}`]],
  (s) => ['/app/x.yaml', `token: ${s} backup: ${s}`, [s]],
];

function leaks(result: CheckResult, secret: string, template: string): string | undefined {
  const out = JSON.stringify(result);
  const outside = template.split(secret).join('\u0000');
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (out.includes(piece) && !outside.includes(piece) && !JSON.stringify(outside).includes(piece)) return piece;
  }
  return undefined;
}

test('no result ever shows a secret, or any 8-character piece of it (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
      fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 16, maxLength: 48 }),
      (which, s) => {
        const [path, text, secrets] = TEMPLATES[which]!(s);
        for (const r of scanSecrets(path, Buffer.from(text)).results) {
          for (const secret of secrets) {
            const piece = leaks(r, secret, text);
            assert.equal(piece, undefined, `${path}: ${JSON.stringify(r)} leaks ${piece}`);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('the masking property holds for generated real-format secrets too, and each is found', () => {
  const cases: Array<[string, string, string]> = [
    ['/app/.env', 'GITHUB_TOKEN=', t.githubToken()],
    ['/app/.env', 'NPM=', t.npmToken()],
    ['/app/a.yaml', 'slack: ', t.slackBotToken()],
    ['/app/a.yaml', 'hook: ', t.slackWebhook()],
    ['/app/a.yaml', 'pypi: ', t.pypiToken()],
    ['/app/a.yaml', 'jwt: ', t.jwt()],
    ['/app/a.yaml', 'docker: ', t.dockerHubToken()],
    ['/app/a.yaml', 'gl: ', t.gitlabToken()],
    ['/app/a.yaml', 'gh: ', t.githubFineGrained()],
    ['/app/a.conf', 'AccountKey=', t.azureStorageKey()],
  ];
  for (const [path, prefix, secret] of cases) {
    const { results } = scanSecrets(path, Buffer.from(`${prefix}${secret}\n`));
    assert.equal(results.length, 1, `${prefix}${secret.slice(0, 8)}`);
    const value = secret.replace(/^https:\/\/hooks\.slack\.com\/services\//, '');
    assert.equal(leaks(results[0]!, value, `${prefix}${secret}\n`), undefined, JSON.stringify(results[0]));
  }
});

test('a huge single-line file with 300 secrets: 200 reported (the cap), each with at most 125 characters of evidence', () => {
  const tokens = t
    .checksummedBodies()
    .slice(0, 300)
    .map((b) => `ghp_${b}`);
  const text = tokens.map((tok) => `${'x=1;'.repeat(8000)}t="${tok}";`).join('');
  const { results } = scanSecrets('/app/huge.min.js', Buffer.from(text));
  assert.equal(results.length, 200);
  for (const r of results)
    assert.ok(r.evidence!.length <= 125 && r.evidence!.startsWith('…') && r.evidence!.endsWith('…'), r.evidence);
});
