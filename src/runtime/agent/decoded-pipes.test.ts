import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedPipes, isDecoder, readsStdin } from './decoded-pipes.js';

test('decoders as they are called to decode, not to encode', () => {
  assert.ok(isDecoder('base64', ['base64', '-d']));
  assert.ok(isDecoder('base64', ['base64', '--decode', 'f']));
  assert.ok(isDecoder('base64', ['base64', '-di']));
  assert.ok(isDecoder('xxd', ['xxd', '-r', '-p']));
  assert.ok(isDecoder('openssl', ['openssl', 'enc', '-d', '-base64']));
  assert.ok(isDecoder('openssl', ['openssl', 'base64', '-d']));
  assert.ok(!isDecoder('base64', ['base64']));
  assert.ok(!isDecoder('base64', ['base64', '-w', '0', 'file']));
  assert.ok(!isDecoder('openssl', ['openssl', 'enc', '-d', '-aes-256-cbc']));
  assert.ok(!isDecoder('cat', ['cat', '-d']));
});

test('a shell that reads its commands from stdin, not one given a command or a script', () => {
  assert.ok(readsStdin('sh', ['sh']));
  assert.ok(readsStdin('bash', ['bash', '-s', 'x']));
  assert.ok(readsStdin('sh', ['sh', '-x']));
  assert.ok(readsStdin('bash', ['bash', '-']));
  assert.ok(!readsStdin('sh', ['sh', '-c', 'id']));
  assert.ok(!readsStdin('sh', ['sh', '-ec', 'id']));
  assert.ok(!readsStdin('sh', ['sh', '/entrypoint.sh']));
  assert.ok(!readsStdin('python3', ['python3']));
});

test('a decoder and a stdin shell with the same parent pair up once, in either order, within the window', () => {
  const p = new DecodedPipes();
  assert.equal(p.observe('c1', 10, 'base64', ['base64', '-d'], 1000), false);
  assert.equal(p.observe('c1', 10, 'sh', ['sh'], 1010), true);
  // the pair is spent: another shell of the same parent alone is not a second pair
  assert.equal(p.observe('c1', 10, 'sh', ['sh'], 1020), false);
  assert.equal(p.observe('c1', 11, 'sh', ['sh'], 2000), false);
  assert.equal(p.observe('c1', 11, 'base64', ['base64', '-d'], 2001), true);
});

test('near misses: other parents, other containers, too far apart, decoding to a file', () => {
  const p = new DecodedPipes();
  p.observe('c1', 10, 'base64', ['base64', '-d'], 1000);
  assert.equal(p.observe('c1', 12, 'sh', ['sh'], 1001), false);
  assert.equal(p.observe('c2', 10, 'sh', ['sh'], 1001), false);
  assert.equal(p.observe('c1', 10, 'sh', ['sh'], 4000), false);
  assert.equal(p.observe('c1', 10, 'sh', ['sh', '-c', 'echo hi'], 4001), false);
});

test('memory stays bounded whatever the number of parents', () => {
  const p = new DecodedPipes();
  for (let i = 0; i < 10_000; i++) p.observe('c', i, 'base64', ['base64', '-d'], i);
  // the oldest parents were forgotten: their shells pair with nothing
  assert.equal(p.observe('c', 0, 'sh', ['sh'], 10_000), false);
  assert.equal(p.observe('c', 9999, 'sh', ['sh'], 10_001), true);
});
