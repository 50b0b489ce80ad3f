import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeTempDir } from '../../core/tempdir.js';
import { openStore } from '../store/open.js';
import { registeredRoutes } from './app.js';
import { bearer, testApp, testDeps } from './deps.testing.js';

// Hostile bodies: whatever JSON a caller with the right role sends to any route that takes a
// body, the answer is a coded 2xx or 4xx — never a 5xx, never an uncoded error.

test('every route with a body answers arbitrary JSON with a coded 2xx or 4xx, never a 5xx', async () => {
  const dir = await makeTempDir('bulwark-bodies-');
  const store = await openStore({ dataDir: dir.path });
  try {
    const { app } = testApp({ limits: { maxFailures: 1_000_000 } }, testDeps(store));
    await app.ready();
    const posts = registeredRoutes(app).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.ok(posts.length >= 5, `routes with a body: ${posts.length}`);
    for (const { method, url } of posts) {
      const path = url.replace(/:(\w+)/g, 'host-1');
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (body) => {
          const r = await app.inject({
            method: method as 'POST',
            url: path,
            headers: bearer('admin'),
            payload: body as object,
          });
          assert.ok(r.statusCode < 500, `${method} ${url}: ${r.statusCode} ${r.body}`);
          if (r.statusCode >= 400) assert.match(JSON.parse(r.body).error.code, /^[A-Z_]+$/, r.body);
        }),
        { numRuns: 60 },
      );
    }
  } finally {
    await store.close();
    await dir.remove();
  }
});
