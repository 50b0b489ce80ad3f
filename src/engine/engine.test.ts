import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUp } from '../../test/support/engine.js';
import { requireAll } from '../../test/support/require.js';
import { inspectContainer, pauseContainer } from './containers.js';
import { checkProgress, inspectImage } from './images.js';
import { call } from './socket.js';

test('progress streams: an error line fails the call with ENGINE, garbage with CORRUPT', () => {
  checkProgress('{"status":"Loading"}\n{"stream":"Step 1/2"}\n', 'POST /build');
  assert.throws(() => checkProgress('{"stream":"x"}\n{"error":"no such base image"}\n', 'POST /build'), {
    code: 'ENGINE',
    input: 'POST /build',
  });
  assert.throws(() => checkProgress('{"stream":"x"}\nnot json\n', 'POST /build'), { code: 'CORRUPT' });
  assert.throws(() => checkProgress('7\n', 'POST /build'), { code: 'CORRUPT' });
});

test('no engine at DOCKER_HOST: ENGINE, naming the call', async () => {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = 'unix:///nonexistent/runtime-engine-test.sock';
  try {
    await assert.rejects(inspectContainer('abc'), { code: 'ENGINE', input: 'GET /containers/abc/json' });
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:2375';
    await assert.rejects(call({ method: 'GET', path: '/_ping' }), { code: 'USAGE' });
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});

test('the real engine: a missing container inspects as undefined; a missing image is NOT_FOUND; a refused action is coded', async (t) => {
  if (!requireAll(t, { 'Docker Engine': await engineUp() })) return;
  const missing = 'runtime-no-such-container-0000';
  assert.equal(await inspectContainer(missing), undefined);
  await assert.rejects(inspectImage('runtime-no-such-image:never'), {
    code: 'NOT_FOUND',
    input: 'GET /images/runtime-no-such-image%3Anever/json',
  });
  await assert.rejects(pauseContainer(missing), { code: 'NOT_FOUND', input: `POST /containers/${missing}/pause` });
});
