import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { throwsCode } from '../../../test/support/codes.js';
import { serverDeps } from './server-deps.js';

const TOKEN = 'bootstrap-token-0123456789';

test('serverDeps: the bootstrap token authenticates as admin, nothing else does; audit lines append in order (0600)', async () => {
  const tmp = await makeTempDir();
  try {
    const deps = serverDeps({ dataDir: tmp.path, env: { BULWARK_ADMIN_TOKEN: TOKEN } });
    assert.equal((await deps.authenticate(TOKEN))?.role, 'admin');
    assert.equal(await deps.authenticate(`${TOKEN}x`), undefined);
    assert.equal(await deps.authenticate(''), undefined);
    assert.equal(await deps.ready(), true);
    const entry = (n: number) => ({
      time: 't',
      action: `a${n}`,
      route: 'POST /x',
      remoteAddress: '127.0.0.1',
      outcome: 'success' as const,
      status: 200,
      requestId: String(n),
    });
    await Promise.all([1, 2, 3].map((n) => deps.audit(entry(n))));
    await deps.close!();
    const file = join(tmp.path, 'audit.jsonl');
    assert.deepEqual(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { action: string }).action),
      ['a1', 'a2', 'a3'],
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const none = serverDeps({ dataDir: tmp.path, env: {} });
    assert.equal(none.hasAdminToken, false);
    assert.equal(await none.authenticate(TOKEN), undefined);
    throwsCode(() => serverDeps({ dataDir: tmp.path, env: { BULWARK_ADMIN_TOKEN: 'short' } }), 'USAGE');
  } finally {
    await tmp.remove();
  }
});
