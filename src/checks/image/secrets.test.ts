import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageConfig } from '../../image/image.js';
import * as t from '../secrets/fixtures/tokens.js';
import { historySteps, imageMetadataSecrets, maskedHistory } from './secrets.js';

const layer = (index: number) => ({ index, diffId: `sha256:${String(index).repeat(64)}` });
const layers = [layer(0), layer(1), layer(2)];

function image() {
  const pw = `S3cr-${t.randomBase62(10)}`;
  const urlPw = `Hx${t.randomBase62(12)}`;
  const gh = t.githubToken();
  const npm = t.npmToken();
  const annotated = t.githubToken('ghs_');
  const config: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    config: {
      Env: ['PATH=/usr/local/bin:/usr/bin', `DB_PASSWORD=${pw}`],
      Labels: { 'org.example.npm': npm, 'org.example.team': 'infra' },
    },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:4f2a in / ' },
      { created_by: `/bin/sh -c #(nop)  ENV DB_PASSWORD=${pw}`, empty_layer: true },
      { created_by: '/bin/sh -c #(nop)  ARG GH_TOKEN', empty_layer: true },
      { created_by: `|1 GH_TOKEN=${gh} /bin/sh -c make` },
      { created_by: `/bin/sh -c #(nop)  LABEL org.example.npm=${npm}`, empty_layer: true },
      { created_by: `/bin/sh -c #(nop) ADD https://ci:${urlPw}@files.internal/x.tgz in /opt ` },
    ],
  };
  return {
    config,
    secrets: [pw, urlPw, gh, npm, annotated],
    annotations: { 'org.example.token': annotated, 'org.opencontainers.image.title': 'app' },
  };
}

test('ENV, labels, annotations and history commands are each reported once, with the layer of the step that set them', () => {
  const { config, annotations } = image();
  const found = imageMetadataSecrets(config, layers, annotations).map((r) => [
    r.checkId,
    r.location.path,
    r.location.field,
    r.location.layer?.index,
  ]);
  assert.deepEqual(found, [
    ['BW-SEC-017', 'image config', 'config.Env[DB_PASSWORD]', 0], // the ENV step sits on layer 0
    ['BW-SEC-013', 'image config', 'config.Labels["org.example.npm"]', 1], // the LABEL step sits on layer 1
    ['BW-SEC-007', 'image manifest', 'annotations["org.example.token"]', undefined],
    ['BW-SEC-007', 'image config', 'history[3]', 1], // the RUN that used the build argument made layer 1
    ['BW-SEC-020', 'image config', 'history[5]', 2],
  ]);
});

test('no finding and no history command as checks print it shows any 8-character piece of a secret', () => {
  const { config, secrets, annotations } = image();
  const printed = JSON.stringify([
    imageMetadataSecrets(config, layers, annotations),
    maskedHistory(historySteps(config, layers)),
  ]);
  for (const s of secrets)
    for (let i = 0; i + 8 <= s.length; i++)
      assert.ok(!printed.includes(s.slice(i, i + 8)), `${s.slice(i, i + 8)} in ${printed}`);
});

test('history steps: a metadata step sits on the layer below it; the masked history keeps only layers a step made', () => {
  const { config } = image();
  const steps = historySteps(config, layers);
  assert.deepEqual(
    steps.map((s) => [s.layer?.index, s.ownLayer]),
    [
      [0, true],
      [0, false],
      [0, false],
      [1, true],
      [1, false],
      [2, true],
    ],
  );
  assert.deepEqual(
    maskedHistory(steps).map((h) => h.layer?.index),
    [0, undefined, undefined, 1, undefined, 2],
  );
  const before = historySteps(
    { ...config, history: [{ created_by: 'ENV A=1', empty_layer: true }, ...config.history!] },
    layers,
  );
  assert.equal(before[0]!.layer, undefined, 'a metadata step before any layer sits on none');
});
