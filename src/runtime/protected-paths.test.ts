import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardPrefixes, protectionOf } from './protected-paths.js';

test('protectionOf: /etc, ~/.ssh and credentials are guarded for reads and writes; binary dirs for writes', () => {
  assert.equal(protectionOf('/etc/passwd'), 'read-write');
  assert.equal(protectionOf('/etc'), 'read-write');
  assert.equal(protectionOf('/root/.ssh/authorized_keys'), 'read-write');
  assert.equal(protectionOf('/home/app/.ssh/id_rsa'), 'read-write');
  assert.equal(protectionOf('/usr/bin/env'), 'write');
  assert.equal(protectionOf('/lib/x86_64-linux-gnu/libc.so.6'), 'write');
});

test('protectionOf: neighbours of protected paths are not protected', () => {
  for (const p of ['/etcetera/x', '/tmp/x', '/home/app/.sshx', '/home/.ssh', '/home/app/notes', '/usr/binx/y', '/'])
    assert.equal(protectionOf(p), undefined, p);
});

test('guardPrefixes: plain prefixes up to a "*" segment, without duplicates', () => {
  assert.deepEqual(guardPrefixes(['/etc', '/home/*/.ssh', '/etc/shadow', '/root/.ssh', '*', '/']), [
    '/etc',
    '/etc/shadow',
    '/home',
    '/root/.ssh',
  ]);
});
