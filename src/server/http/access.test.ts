import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES } from './deps.js';
import { registeredRoutes } from './app.js';
import { bearer, testApp } from './deps.testing.js';
import type { RouteConfig } from './register.js';

// Acceptance 4 (first half): every registered route, HEAD twins included, refuses a missing
// token, an invalid token and a wrong role with 401/403 and a coded JSON error; only the two
// probes are public.

const PUBLIC = new Set(['/healthz', '/readyz']);

function errorCode(body: string): string {
  return (JSON.parse(body) as { error: { code: string } }).error.code;
}

test('every route but the probes refuses a missing, an invalid token and a wrong role', async () => {
  const { app } = testApp({ limits: { maxFailures: 1_000_000 } });
  await app.ready();
  const routes = registeredRoutes(app);
  assert.ok(routes.length >= 10, `routes registered: ${routes.length}`);
  for (const { method, url, config } of routes) {
    const { access } = config as RouteConfig;
    const name = `${method} ${url}`;
    if (access === 'public') {
      assert.ok(PUBLIC.has(url), `${name} is public`);
      continue;
    }
    const path = url.replace(/:(\w+)/g, 'x');
    const post = method === 'GET' || method === 'HEAD' ? {} : { payload: {} };
    const missing = await app.inject({ method: method as 'GET', url: path, ...post });
    assert.equal(missing.statusCode, 401, `${name} without a token`);
    const invalid = await app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: 'Bearer not-a-token-0123456789' },
      ...post,
    });
    assert.equal(invalid.statusCode, 401, `${name} with an invalid token`);
    const basic = await app.inject({ method: method as 'GET', url: path, headers: { authorization: 'Basic YTpi' } });
    assert.equal(basic.statusCode, 401, `${name} with basic auth`);
    if (method !== 'HEAD') {
      for (const r of [missing, invalid, basic]) assert.equal(errorCode(r.body), 'UNAUTHENTICATED', name);
    }
    for (const role of ROLES) {
      const r = await app.inject({ method: method as 'GET', url: path, headers: bearer(role), ...post });
      if (access.includes(role))
        assert.ok(r.statusCode !== 401 && r.statusCode !== 403, `${name} as ${role}: ${r.statusCode}`);
      else {
        assert.equal(r.statusCode, 403, `${name} as ${role}`);
        if (method !== 'HEAD') assert.equal(errorCode(r.body), 'FORBIDDEN');
      }
    }
  }
  for (const url of PUBLIC)
    assert.ok(
      routes.some((r) => r.url === url),
      `${url} registered`,
    );
  await app.close();
});

test('an unknown route needs a token too (401), and is 404 with one', async () => {
  const { app } = testApp();
  const anon = await app.inject({ url: '/api/v1/nothing-here' });
  assert.equal(anon.statusCode, 401);
  const known = await app.inject({ url: '/api/v1/nothing-here', headers: bearer('viewer') });
  assert.equal(known.statusCode, 404);
  assert.equal(errorCode(known.body), 'NOT_FOUND');
  await app.close();
});

test('the probes answer without a token and say nothing more; readyz is 503 when not ready', async () => {
  const { app, deps } = testApp();
  assert.deepEqual((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  deps.isReady = false;
  const r = await app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 503);
  assert.equal(errorCode(r.body), 'UNAVAILABLE');
  deps.ready = async () => {
    throw new Error('database is gone at /var/lib/secret-place');
  };
  const thrown = await app.inject({ url: '/readyz' });
  assert.equal(thrown.statusCode, 503);
  assert.doesNotMatch(thrown.body, /secret-place/);
  await app.close();
});

test('whoami returns the principal of the token', async () => {
  const { app } = testApp();
  const r = await app.inject({ url: '/api/v1/whoami', headers: bearer('scanner') });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { id: 'id-scanner', name: 'scanner user', role: 'scanner' });
  await app.close();
});
