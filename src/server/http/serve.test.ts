import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { have, requireAll } from '../../../test/support/require.js';
import { pinnedRequest } from '../../../test/support/server-process.js';
import { serverLogger } from './logging.js';
import { serve } from './serve.js';

test('serve: close lets a request in flight finish, then refuses new connections and closes deps', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const tmp = await makeTempDir();
  try {
    let closed = false;
    let started = (): void => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const server = await serve({
      dataDir: join(tmp.path, 'data'),
      listen: '127.0.0.1:0',
      logger: serverLogger({ level: 'silent' }),
      deps: {
        // a slow token check: the request is in flight while close is called
        authenticate: async () => {
          started();
          await new Promise((r) => setTimeout(r, 500));
          return { id: 'a', name: 'a', role: 'admin' };
        },
        audit: async () => undefined,
        ready: async () => true,
        close: async () => void (closed = true),
      },
    });
    const pinned = { url: server.url, fingerprint: server.tls.fingerprint, ca: server.tls.cert };
    const slow = pinnedRequest(pinned, '/api/v1/whoami', { token: 'any-token-will-do' });
    await inFlight;
    const closing = server.close();
    assert.equal((await slow).status, 200, 'the request in flight is answered');
    await closing;
    assert.equal(closed, true);
    await assert.rejects(pinnedRequest(pinned, '/healthz'), /ECONNREFUSED/);
  } finally {
    await tmp.remove();
  }
});
