import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskMetadata, scanMetadata } from './metadata.js';
import * as t from './fixtures/tokens.js';

const where = { path: 'image config', field: 'history[3]', layer: { index: 2, diffId: `sha256:${'cd'.repeat(32)}` } };

/** Every 8-character piece of the secret that is not also in the text around it. */
function leakedPiece(out: string, secret: string, around: string): string | undefined {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (out.includes(piece) && !around.includes(piece)) return piece;
  }
  return undefined;
}

function assertMasked(text: string, secret: string, mode: 'command' | 'value' = 'command'): void {
  const around = text.split(secret).join('\u0000');
  const scan = scanMetadata(text, mode, where);
  for (const out of [scan.masked, JSON.stringify(scan.results), maskMetadata(text, mode)]) {
    const piece = leakedPiece(out, secret, around);
    assert.equal(piece, undefined, `${out} shows ${piece}`);
  }
}

test('history: a token passed as a build argument is reported at the step, and masked; plain arguments stay readable', () => {
  const token = t.githubToken();
  const text = `|2 GITHUB_TOKEN=${token} NODE_VERSION=20.11.1 /bin/sh -c npm ci && npm run build`;
  const scan = scanMetadata(text, 'command', where);
  assert.deepEqual(
    scan.results.map((r) => [r.checkId, r.location]),
    [['BW-SEC-007', { path: 'image config', field: 'history[3]', layer: where.layer }]],
  );
  assert.equal(scan.masked, `|2 GITHUB_TOKEN=ghp_******** NODE_VERSION=20.11.1 /bin/sh -c npm ci && npm run build`);
  assertMasked(text, token);
  // BuildKit writes "RUN |N …": the same
  assert.equal(scanMetadata(`RUN ${text} # buildkit`, 'command', where).results[0]?.checkId, 'BW-SEC-007');
});

test('history: every build-argument value but a version, number, boolean or path is masked, reported or not', () => {
  const value = `q7${t.randomBase62(10)}`;
  const masked = maskMetadata(`|4 DEPLOY=${value} DEBUG=true PREFIX=/usr/local VERSION=v1.2.3-rc1 /bin/sh -c make`);
  assert.equal(masked, '|4 DEPLOY=q7********** DEBUG=true PREFIX=/usr/local VERSION=v1.2.3-rc1 /bin/sh -c make');
  assertMasked(`|1 X=${value} /bin/sh -c make`, value);
});

test('history: a URL password is masked even when no rule reports it; a plausible one is reported', () => {
  const pw = `Hx${t.randomBase62(12)}`;
  const add = `/bin/sh -c #(nop) ADD https://ci:${pw}@files.internal/app.tgz in /opt/ `;
  const scan = scanMetadata(add, 'command', where);
  assert.deepEqual(
    scan.results.map((r) => r.checkId),
    ['BW-SEC-020'],
  );
  assertMasked(add, pw);
  // "pass" is a placeholder to the rule, but it is still never printed
  assert.equal(scanMetadata('/bin/sh -c curl -fsSo /x https://user:pass@host/x', 'command', where).results.length, 0);
  assert.equal(
    maskMetadata('/bin/sh -c curl -fsSo /x https://user:pass@host/x'),
    '/bin/sh -c curl -fsSo /x https://user:************@host/x',
  );
});

test('history: the "#(nop)" marker of metadata steps is not a comment that hides an ENV password', () => {
  const pw = `S3cr-${t.randomBase62(10)}`;
  const env = `/bin/sh -c #(nop)  ENV DB_PASSWORD=${pw} APP_ENV=prod`;
  assert.deepEqual(
    scanMetadata(env, 'command', where).results.map((r) => r.checkId),
    ['BW-SEC-017'],
  );
  assert.equal(
    maskMetadata(env),
    '/bin/sh -c #(nop)  ENV DB_PASSWORD=S3********** APP_ENV=prod',
    'the value ends at the blank on a command line',
  );
  // a shell comment on a RUN line is still printed, so it is scanned too
  const token = t.npmToken();
  assertMasked(`/bin/sh -c make # npm_token ${token}`, token);
});

test('values: ENV entries, labels and annotations as NAME=value; a credential name masks any real value', () => {
  const token = t.npmToken();
  assert.deepEqual(
    scanMetadata(`org.example.publish=${token}`, 'value', where).results.map((r) => r.checkId),
    ['BW-SEC-013'],
  );
  assertMasked(`org.example.publish=${token}`, token, 'value');
  const short = `k${t.randomBase62(7)}`;
  assert.equal(maskMetadata(`API_TOKEN=${short}`, 'value'), 'API_TOKEN=k***********');
  assert.equal(maskMetadata('TOKEN_FILE=/run/secrets/token', 'value'), 'TOKEN_FILE=/run/secrets/token');
  assert.equal(maskMetadata('PATH=/usr/local/bin:/usr/bin', 'value'), 'PATH=/usr/local/bin:/usr/bin');
  const pw = `correct horse ${t.randomBase62(8)}`;
  assertMasked(`DB_PASSWORD=${pw}`, pw, 'value');
});

test('text without secrets is returned as it is', () => {
  for (const text of [
    '/bin/sh -c apt-get update && apt-get install -y curl',
    '|1 VERSION=1.2.3 /bin/sh -c make',
    'COPY app /app # buildkit',
    '',
  ]) {
    assert.equal(maskMetadata(text), text);
    assert.deepEqual(scanMetadata(text, 'command', where).results, []);
  }
});

test('no 8-character piece of a secret survives in build arguments, URLs, ENV and labels (property)', () => {
  const alnum = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
  const templates: Array<[(s: string) => string, 'command' | 'value']> = [
    [(s) => `|2 A=1.0 SECRET=${s} /bin/sh -c make`, 'command'],
    [(s) => `|1 ANY=${s} /bin/sh -c make`, 'command'],
    [(s) => `/bin/sh -c #(nop) ADD https://me:${s}@host.internal/f /f`, 'command'],
    [(s) => `/bin/sh -c git clone https://oauth2:${s}@git.internal/r.git`, 'command'],
    [(s) => `/bin/sh -c #(nop)  ENV API_KEY=${s}`, 'command'],
    [(s) => `/bin/sh -c echo password=${s} > /etc/app.conf`, 'command'],
    [(s) => `API_KEY=${s}`, 'value'],
    [(s) => `com.example.db-password=${s}`, 'value'],
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: templates.length - 1 }),
      fc.string({ unit: fc.constantFrom(...alnum), minLength: 12, maxLength: 48 }),
      (which, s) => {
        const [make, mode] = templates[which]!;
        assertMasked(make(s), s, mode);
      },
    ),
    { numRuns: 400 },
  );
});

test('arbitrary text never throws and keeps no more than it was given', () => {
  const pieces = fc.oneof(
    fc.constantFrom('|3 ', '=', '://', ':', '@', '"', "'", ' ', '#(nop)', '/bin/sh -c ', 'PASSWORD', 'token', '\n'),
    fc.string({ maxLength: 10 }),
  );
  fc.assert(
    fc.property(
      fc.array(pieces, { maxLength: 80 }).map((a) => a.join('')),
      fc.constantFrom('command' as const, 'value' as const),
      (text, mode) => {
        const r = scanMetadata(text, mode, where);
        assert.ok(Array.isArray(r.results));
        assert.equal(typeof r.masked, 'string');
      },
    ),
    { numRuns: 300 },
  );
});
