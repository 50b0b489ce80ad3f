import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { haveBusybox, importBusybox } from '../support/busybox.js';
import { buildImage, engineUp, removeImage, saveImage } from '../support/engine.js';
import { bulwark } from '../support/fixtures.js';
import { requireSetUp } from '../support/require.js';
import * as t from '../../src/checks/secrets/fixtures/tokens.js';
import tarStream from 'tar-stream';

// Issue 12 item 7: secrets in image metadata — a build argument on a RUN command, a URL
// password in an ADD step, a label and an ENV value — are reported as secret findings with
// their layer, and no report format (nor an error) ever prints them or any 8-character piece.

const TAG = 'secrets-e2e/metadata:1';
const BASE = 'secrets-e2e/busybox:1';
const GH_TOKEN = t.githubToken();
const NPM_TOKEN = t.npmToken();
const DB_PASSWORD = `S3cr-${t.randomBase62(14)}`;
const URL_PASSWORD = `Hx${t.randomBase62(16)}`;
const SECRETS = [GH_TOKEN, NPM_TOKEN, DB_PASSWORD, URL_PASSWORD];

let tmp: TempDir;
let archive = '';
let server: Server | undefined;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  tmp = await makeTempDir();
  // ADD fetches from a URL with a password in it: served on loopback, to the engine only
  server = createServer((_req, res) => res.end('a downloaded tool\n'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await importBusybox('secrets-e2e/busybox', '1');
  await buildImage(
    TAG,
    {
      Dockerfile: [
        `FROM ${BASE}`,
        'ARG GH_TOKEN',
        'ARG APP_VERSION=1.0',
        'RUN echo "building $APP_VERSION" > /built',
        `LABEL org.example.publish-token=${NPM_TOKEN} org.example.team=infra`,
        `ENV DB_PASSWORD=${DB_PASSWORD} APP_MODE=prod`,
        `ADD http://ci:${URL_PASSWORD}@127.0.0.1:${port}/tool.bin /opt/tool.bin`,
      ].join('\n'),
    },
    { GH_TOKEN },
  );
  const saved = join(tmp.path, 'saved.tar');
  await saveImage(TAG, saved);
  // The classic builder records the fetched content's hash for ADD <url>; BuildKit records the
  // URL as written. The saved archive gets the BuildKit form of that step.
  archive = join(tmp.path, 'metadata.tar');
  const url = `http://ci:${URL_PASSWORD}@127.0.0.1:${port}/tool.bin`;
  await rewriteConfig(saved, archive, (history) =>
    history.map((h) =>
      /ADD [0-9a-f]{64} in \/opt\/tool\.bin/.test(h.created_by ?? '')
        ? { ...h, created_by: `ADD ${url} /opt/tool.bin # buildkit` }
        : h,
    ),
  );
});

type History = { created_by?: string; empty_layer?: boolean }[];

/** A copy of a docker-archive whose config's history is changed (the config renamed by its new digest). */
async function rewriteConfig(from: string, to: string, change: (h: History) => History): Promise<void> {
  const entries: { header: tarStream.Header; body: Buffer }[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      entries.push({ header, body: Buffer.concat(chunks) });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve).on('error', reject);
    extract.end(readFileSync(from));
  });
  const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.body.toString()) as {
    Config: string;
  }[];
  const cfgEntry = entries.find((e) => e.header.name === manifest[0]!.Config)!;
  const cfg = JSON.parse(cfgEntry.body.toString()) as { history: History };
  cfg.history = change(cfg.history);
  const body = Buffer.from(JSON.stringify(cfg));
  const name = `${createHash('sha256').update(body).digest('hex')}.json`;
  manifest[0]!.Config = name;
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    if (e === cfgEntry) pack.entry({ name, mode: 0o644 }, body);
    else if (e.header.name === 'manifest.json')
      pack.entry({ name: 'manifest.json', mode: 0o644 }, JSON.stringify(manifest));
    else pack.entry({ ...e.header, size: e.body.length }, e.body);
  }
  pack.finalize();
  await done;
  writeFileSync(to, Buffer.concat(chunks));
}

after(async () => {
  server?.close();
  if (!tmp) return;
  await removeImage(TAG);
  await removeImage(BASE);
  await tmp.remove();
});

interface Check {
  checkId: string;
  location: { path: string; field?: string; layer?: { index: number } };
}

function leaks(out: string): string | undefined {
  for (const s of SECRETS)
    for (let i = 0; i + 8 <= s.length; i++) if (out.includes(s.slice(i, i + 8))) return s.slice(i, i + 8);
  return undefined;
}

test('secrets in build arguments, ADD URLs, labels and ENV are secret findings with their layer, masked in every format', async (t) => {
  if (
    !requireSetUp(
      t,
      {
        'Docker Engine (dockerd on /var/run/docker.sock)': await engineUp(),
        'busybox (Debian busybox-static)': haveBusybox(),
      },
      archive !== '',
    )
  )
    return;
  const r = bulwark(['scan', 'image', archive, '--scanners', 'secret', '-f', 'json', '-q', '--no-cache']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { checks: Check[]; layers: { index: number; createdBy?: string }[] };
  const layerOf = (re: RegExp): number => doc.layers.find((l) => re.test(l.createdBy ?? ''))!.index;
  const one = (id: string, field: RegExp): Check => {
    const found = doc.checks.filter((c) => c.checkId === id && field.test(c.location.field ?? ''));
    assert.equal(found.length, 1, `${id} ${field}: ${JSON.stringify(doc.checks)}`);
    return found[0]!;
  };
  // the engine records the build argument on the RUN step: "|2 APP_VERSION=1.0 GH_TOKEN=… /bin/sh -c …"
  assert.equal(one('BW-SEC-007', /^history\[\d+\]$/).location.layer?.index, layerOf(/building/));
  assert.equal(one('BW-SEC-020', /^history\[\d+\]$/).location.layer?.index, layerOf(/tool\.bin/));
  // LABEL and ENV make no layer: they sit on the RUN layer below them
  assert.equal(
    one('BW-SEC-013', /^config\.Labels\["org\.example\.publish-token"\]$/).location.layer?.index,
    layerOf(/building/),
  );
  assert.equal(one('BW-SEC-017', /^config\.Env\[DB_PASSWORD\]$/).location.layer?.index, layerOf(/building/));
  assert.ok(
    doc.layers.some((l) => /GH_TOKEN=ghp_\*+ /.test(l.createdBy ?? '')),
    'the layer list shows the step, masked',
  );

  // misconfiguration checks quote history commands too (ADD from a URL): with and without the secret scanner
  const runs = [
    ...['json', 'table', 'sarif', 'cyclonedx', 'spdx-json', 'markdown'].map((f) => [f, 'secret,misconfig']),
    ['json', 'misconfig'],
    ['table', 'misconfig'],
  ];
  for (const [format, scanners] of runs) {
    const out = bulwark(['scan', 'image', archive, '--scanners', scanners!, '-f', format!, '-q', '--list-all-pkgs']);
    assert.equal(out.code, 0, `${format}: ${out.stderr}`);
    const piece = leaks(out.stdout + out.stderr);
    assert.equal(piece, undefined, `${format} (${scanners}) shows ${piece}`);
    if (['table', 'sarif', 'markdown'].includes(format!) && scanners === 'secret,misconfig')
      for (const id of ['BW-SEC-007', 'BW-SEC-013', 'BW-SEC-017', 'BW-SEC-020', 'BW-IMG-006'])
        assert.ok(out.stdout.includes(id), `${format} lists ${id}`);
  }
});

test('an error naming an input with a password in it does not print the password', async () => {
  const out = bulwark([
    'scan',
    'image',
    `/nonexistent-secrets-e2e/https://ci:${URL_PASSWORD}@files.internal/x.tar`,
    '-q',
  ]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /^bulwark: /);
  assert.equal(leaks(out.stdout + out.stderr), undefined, out.stderr);
});
