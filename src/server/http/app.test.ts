import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { registeredRoutes } from './app.js';
import { bearer, testApp, TOKENS } from './deps.testing.js';
import { defineRoute, type RouteGroup } from './route.js';
import { ROUTE_GROUPS } from './routes/index.js';

// The app's behaviour through fastify's inject: errors, body limits, rate limits, audit,
// redaction, metrics and the OpenAPI document.

interface ErrorJson {
  error: { code: string; message: string; path?: string };
}

/** A route group only these tests register: a small body limit, a leaky answer, a logging handler. */
const probe: RouteGroup = {
  id: 'probe',
  routes: () => [
    defineRoute({
      method: 'POST',
      url: '/api/v1/probe/:name',
      summary: 'test route',
      access: ['scanner'],
      bodyLimit: 100,
      params: z.object({ name: z.string().regex(/^[a-z]+$/) }),
      query: z.object({ n: z.coerce.number().int().optional() }),
      body: z.object({ items: z.array(z.object({ id: z.string() })) }),
      response: z.object({ name: z.string() }),
      handler: async ({ params, body, log }) => {
        log.info({ body, credentials: { apiToken: TOKENS.admin } }, 'probe called');
        return { name: params.name, internalSecretField: 'must not leave' } as { name: string };
      },
    }),
  ],
};

const withProbe = { groups: [...ROUTE_GROUPS, probe] };

test('bodies: over the route limit 413, over the default 413, non-JSON 415, bad JSON 400 without echo', async () => {
  const { app } = testApp(withProbe);
  const post = (payload: string, headers: Record<string, string> = {}, url = '/api/v1/probe/a') =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: {
        ...bearer(url.includes('probe') ? 'scanner' : 'admin'),
        'content-type': 'application/json',
        ...headers,
      },
    });
  const big = await post(JSON.stringify({ items: [{ id: 'x'.repeat(200) }] }));
  assert.equal(big.statusCode, 413);
  assert.equal(big.json<ErrorJson>().error.code, 'TOO_LARGE');
  const huge = await post(JSON.stringify({ message: 'x'.repeat(10_000_000) }), {}, '/api/v1/audit/notes');
  assert.equal(huge.statusCode, 413);
  const text = await post('hello', { 'content-type': 'text/plain' });
  assert.equal(text.statusCode, 415);
  assert.equal(text.json<ErrorJson>().error.code, 'UNSUPPORTED_MEDIA_TYPE');
  const broken = await post('{"password":"hunter2-secret"');
  assert.equal(broken.statusCode, 400);
  assert.equal(broken.json<ErrorJson>().error.code, 'INVALID_REQUEST');
  assert.doesNotMatch(broken.body, /hunter2/);
  await app.close();
});

test('validation: 400 INVALID_REQUEST naming the bad field (params, query, body); answers keep declared fields only', async () => {
  const { app } = testApp(withProbe);
  const call = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers: bearer('scanner') });
  const cases: [string, unknown, string][] = [
    ['/api/v1/probe/a', { items: [{ id: 5 }] }, 'body.items.0.id'],
    ['/api/v1/probe/a', {}, 'body.items'],
    ['/api/v1/probe/A1', { items: [] }, 'params.name'],
    ['/api/v1/probe/a?n=x', { items: [] }, 'query.n'],
  ];
  for (const [url, payload, path] of cases) {
    const r = await call(url, payload);
    assert.equal(r.statusCode, 400, url);
    assert.equal(r.json<ErrorJson>().error.code, 'INVALID_REQUEST');
    assert.equal(r.json<ErrorJson>().error.path, path);
    assert.match(r.json<ErrorJson>().error.message, new RegExp(`^${path.replace(/\./g, '\\.')}: `));
  }
  const ok = await call('/api/v1/probe/abc?n=2', { items: [{ id: 'i' }] });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { name: 'abc' }, 'the undeclared field is stripped');
  await app.close();
});

test('failed authentications from one address: 429 with Retry-After, even for a valid token; others unaffected', async () => {
  const { app, deps } = testApp({ limits: { maxFailures: 3 } });
  const from = (remoteAddress: string, headers: Record<string, string>) =>
    app.inject({ url: '/api/v1/whoami', headers, remoteAddress });
  for (let i = 0; i < 3; i++) assert.equal((await from('10.9.9.9', { authorization: 'Bearer wrong' })).statusCode, 401);
  const blocked = await from('10.9.9.9', { authorization: 'Bearer wrong' });
  assert.equal(blocked.statusCode, 429);
  assert.equal(blocked.json<ErrorJson>().error.code, 'RATE_LIMITED');
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  assert.equal((await from('10.9.9.9', bearer('viewer'))).statusCode, 429, 'a valid token waits too');
  assert.equal((await from('10.9.9.10', bearer('viewer'))).statusCode, 200, 'another address');
  assert.deepEqual(
    deps.entries.map((e) => [e.action, e.outcome, e.remoteAddress]),
    [
      ['auth.invalid', 'denied', '10.9.9.9'],
      ['auth.invalid', 'denied', '10.9.9.9'],
      ['auth.invalid', 'denied', '10.9.9.9'],
      ['auth.rate_limited', 'denied', '10.9.9.9'],
    ],
    'each failure audited, the block once, the refusals while blocked not',
  );
  await app.close();
});

test('audit: a mutation names actor, action, route, address, outcome and detail; a failed write is a 500', async () => {
  const { app, deps } = testApp();
  const note = (message: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/audit/notes', payload: { message }, headers: bearer('admin') });
  assert.equal((await note('change window 42 opens')).statusCode, 201);
  assert.equal((await note(7)).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/whoami', headers: bearer('admin') })).statusCode, 200);
  await app.inject({
    method: 'POST',
    url: '/api/v1/audit/notes',
    payload: { message: 'x' },
    headers: bearer('viewer'),
  });
  const [ok, bad, forbidden, ...rest] = deps.entries;
  assert.deepEqual(rest, [], 'reads are not audited');
  assert.deepEqual(
    { ...ok!, time: undefined, requestId: undefined },
    {
      time: undefined,
      requestId: undefined,
      actor: { id: 'id-admin', name: 'admin user', role: 'admin' },
      action: 'audit.note',
      route: 'POST /api/v1/audit/notes',
      remoteAddress: '127.0.0.1',
      outcome: 'success',
      status: 201,
      detail: { note: 'change window 42 opens' },
    },
  );
  assert.equal(bad!.outcome, 'failure');
  assert.equal(bad!.status, 400);
  assert.equal(forbidden!.action, 'auth.forbidden');
  assert.equal(forbidden!.actor?.role, 'viewer');
  deps.failAudit = true;
  const lost = await note('not recorded');
  assert.equal(lost.statusCode, 500);
  assert.equal(lost.json<ErrorJson>().error.code, 'INTERNAL');
  await app.close();
});

test('logs carry no token: not from headers, query strings, bodies or handler fields', async () => {
  const { app, logs } = testApp(withProbe);
  await app.inject({ url: `/api/v1/whoami?token=${TOKENS.viewer}`, headers: bearer('viewer') });
  await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${TOKENS.admin.slice(0, -1)}x` } });
  await app.inject({ method: 'POST', url: '/api/v1/probe/a', payload: { items: [] }, headers: bearer('scanner') });
  await app.inject({
    method: 'POST',
    url: '/api/v1/probe/a',
    payload: '{"token":"' + TOKENS.agent,
    headers: bearer('scanner'),
  });
  const text = logs();
  assert.match(text, /probe called/, 'the handler did log');
  assert.match(text, /incoming request/);
  for (const token of Object.values(TOKENS)) assert.ok(!text.includes(token.slice(4)), 'a token in the log');
  await app.close();
});

test('metrics: viewer and admin only; request counts by route template and status, auth failures, process metrics', async () => {
  const { app } = testApp();
  await app.inject({ url: '/api/v1/whoami', headers: bearer('agent') });
  await app.inject({ url: '/api/v1/whoami' });
  assert.equal((await app.inject({ url: '/metrics', headers: bearer('agent') })).statusCode, 403);
  const r = await app.inject({ url: '/metrics', headers: bearer('viewer') });
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /^text\/plain/);
  assert.match(r.body, /bulwark_http_requests_total\{method="GET",route="\/api\/v1\/whoami",status="200"\} 1/);
  assert.match(r.body, /bulwark_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/whoami"/);
  assert.match(r.body, /bulwark_auth_failures_total\{reason="missing"\} 1/);
  assert.match(r.body, /bulwark_auth_failures_total\{reason="forbidden"\} 1/);
  assert.match(r.body, /bulwark_process_cpu_user_seconds_total/);
  await app.close();
});

test('OpenAPI 3.1: every route, its roles and security, schemas that compile as JSON Schema 2020-12', async () => {
  const { app } = testApp(withProbe);
  const r = await app.inject({ url: '/api/v1/openapi.json', headers: bearer('viewer') });
  assert.equal(r.statusCode, 200);
  const doc = r.json<{ openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> }>();
  assert.equal(doc.openapi, '3.1.0');
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
  // the document against fastify's own list of what it routes (HEAD twins are not operations)
  await app.ready();
  const routed = registeredRoutes(app)
    .filter((r) => r.method !== 'HEAD')
    .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  assert.deepEqual(ops.sort(), routed.sort());
  for (const op of ['get /healthz', 'get /metrics', 'post /api/v1/audit/notes', 'post /api/v1/probe/{name}'])
    assert.ok(ops.includes(op), op);
  const probeOp = doc.paths['/api/v1/probe/{name}']!.post!;
  assert.deepEqual(probeOp['x-bulwark-roles'], ['scanner']);
  assert.deepEqual(probeOp.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/healthz']!.get!.security, []);
  assert.deepEqual(
    (probeOp.parameters as { name: string; in: string; required: boolean }[]).map((p) => [p.name, p.in, p.required]),
    [
      ['name', 'path', true],
      ['n', 'query', false],
    ],
  );
  const ajv = new Ajv2020({ strict: false });
  const schemas: unknown[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (typeof v !== 'object' || v === null) return;
    if (key === 'schema' && !('$ref' in v)) schemas.push(v);
    for (const [k, c] of Object.entries(v)) walk(c, k);
  };
  walk(doc.paths);
  assert.ok(schemas.length >= 10);
  for (const s of schemas) ajv.compile(s as object);
  const body = (probeOp.requestBody as { content: Record<string, { schema: object }> }).content['application/json']!;
  assert.equal(ajv.validate(body.schema, { items: [{ id: 'a' }] }), true);
  assert.equal(ajv.validate(body.schema, { items: [{ id: 1 }] }), false);
  await app.close();
});
