import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isBulwarkError } from '../core/errors.js';
import { callServer, serverTarget } from './server-client.js';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isBulwarkError(e) ? e.code : 'not a BulwarkError';
  }
  return undefined;
};

test('serverTarget: https anywhere, http only to loopback, no credentials in the URL, a token required', () => {
  const token = 't0k';
  assert.equal(serverTarget({ server: 'https://bulwark.example:8443', token }).url.host, 'bulwark.example:8443');
  for (const loop of ['http://127.0.0.1:1', 'http://[::1]:1', 'http://localhost:1'])
    assert.equal(
      codeOf(() => serverTarget({ server: loop, token })),
      undefined,
      loop,
    );
  for (const bad of [
    'http://bulwark.example',
    'http://10.0.0.1',
    'ftp://127.0.0.1',
    'https://u:p@bulwark.example',
    'bulwark',
  ])
    assert.equal(
      codeOf(() => serverTarget({ server: bad, token })),
      'USAGE',
      bad,
    );
  const saved = process.env.BULWARK_TOKEN;
  try {
    delete process.env.BULWARK_TOKEN;
    assert.equal(
      codeOf(() => serverTarget({ server: 'https://b.example' })),
      'USAGE',
    );
    process.env.BULWARK_TOKEN = 'from-env';
    assert.equal(serverTarget({ server: 'https://b.example' }).token, 'from-env');
  } finally {
    if (saved === undefined) delete process.env.BULWARK_TOKEN;
    else process.env.BULWARK_TOKEN = saved;
  }
  assert.equal(
    codeOf(() => serverTarget({ server: 'https://b.example', token, serverCa: '/no/such.pem' })),
    'IO',
  );
});

test("callServer: sends the bearer token; the server's coded error comes back with its code", async (t) => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization));
    res.statusCode = req.url === '/ok' ? 200 : req.url === '/html' ? 502 : 404;
    res.end(
      req.url === '/ok'
        ? '{"a":1}'
        : req.url === '/html'
          ? '<html>'
          : '{"error":{"code":"NOT_FOUND","message":"no such image"}}',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const target = serverTarget({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 'sekret',
  });
  assert.deepEqual(await callServer(target, 'GET', '/ok'), { a: 1 });
  assert.deepEqual(seen, ['Bearer sekret']);
  await assert.rejects(callServer(target, 'GET', '/missing'), (e: unknown) => {
    assert.ok(isBulwarkError(e));
    assert.equal(e.code, 'NOT_FOUND');
    assert.match(e.reason, /404: no such image/);
    return true;
  });
  await assert.rejects(callServer(target, 'GET', '/html'), { code: 'NETWORK' });
});
