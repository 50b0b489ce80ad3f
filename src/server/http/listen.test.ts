import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throwsCode } from '../../../test/support/codes.js';
import { parseListen } from './listen.js';

test('parseListen: host:port, [v6]:port; anything else is a USAGE error', () => {
  assert.deepEqual(parseListen('127.0.0.1:8443'), { host: '127.0.0.1', port: 8443 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen('localhost:443'), { host: 'localhost', port: 443 });
  for (const bad of ['8443', '::1:8443', '127.0.0.1:99999', 'host:', ':8443'])
    throwsCode(() => parseListen(bad), 'USAGE');
});
