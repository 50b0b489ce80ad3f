import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir } from '../../core/tempdir.js';
import { throwsCode } from '../../../test/support/codes.js';
import { loadOrCreateKey, mask, seal, unseal } from './seal.js';
import { SealedSecrets } from './store.js';

// Secrets at rest: a round trip, every kind of tampering detected, the key file private.

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const tmp = await makeTempDir();
  try {
    await fn(join(tmp.path, 'data'));
  } finally {
    await tmp.remove();
  }
}

test('the key is made on first use: 32 random bytes, mode 0600, the same key after', () =>
  withDir((dir) => {
    const key = loadOrCreateKey(dir);
    assert.equal(key.length, 32);
    const st = statSync(join(dir, 'secret.key'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o077, 0);
    assert.deepEqual(loadOrCreateKey(dir), key);
  }));

test('a key file others may read, or of the wrong size, is refused', () =>
  withDir((dir) => {
    loadOrCreateKey(dir);
    const file = join(dir, 'secret.key');
    chmodSync(file, 0o644);
    throwsCode(() => loadOrCreateKey(dir), 'UNSAFE_PATH', file);
    chmodSync(file, 0o600);
    writeFileSync(file, Buffer.alloc(16).toString('base64'));
    throwsCode(() => loadOrCreateKey(dir), 'KEY', file);
  }));

test('round trip, and a fresh IV each time', () =>
  withDir((dir) => {
    const key = loadOrCreateKey(dir);
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1, maxLength: 20 }), (value, name) => {
        const sealed = seal(key, name, value);
        assert.match(sealed, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/);
        assert.equal(unseal(key, name, sealed), value);
      }),
      { numRuns: 200 },
    );
    assert.notEqual(seal(key, 'n', 'same'), seal(key, 'n', 'same'));
  }));

test('tampering is detected: any flipped bit, another name, another key, a cut or unknown version', () =>
  withDir(async (dir) => {
    const key = loadOrCreateKey(dir);
    const sealed = seal(key, 'registry-pull', 'hunter2-very-secret');
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flip = (b64: string, bit: number): string => {
      const b = Buffer.from(b64, 'base64');
      b[bit >> 3]! ^= 1 << (bit & 7);
      return b.toString('base64');
    };
    for (let bit = 0; bit < Buffer.from(ct, 'base64').length * 8; bit += 7)
      throwsCode(() => unseal(key, 'registry-pull', [v, iv, tag, flip(ct, bit)].join(':')), 'BAD_SIGNATURE');
    throwsCode(() => unseal(key, 'registry-pull', [v, flip(iv, 3), tag, ct].join(':')), 'BAD_SIGNATURE');
    throwsCode(() => unseal(key, 'registry-pull', [v, iv, flip(tag, 100), ct].join(':')), 'BAD_SIGNATURE');
    throwsCode(() => unseal(key, 'registry-push', sealed), 'BAD_SIGNATURE');
    const other = await makeTempDir();
    try {
      throwsCode(() => unseal(loadOrCreateKey(join(other.path, 'd')), 'registry-pull', sealed), 'BAD_SIGNATURE');
    } finally {
      await other.remove();
    }
    throwsCode(() => unseal(key, 'registry-pull', `v2:${iv}:${tag}:${ct}`), 'UNSUPPORTED');
    throwsCode(() => unseal(key, 'registry-pull', `v1:${iv}:${tag}`), 'CORRUPT');
    throwsCode(() => unseal(key, 'registry-pull', `v1:${iv}:${tag.slice(4)}:${ct}`), 'CORRUPT');
    throwsCode(() => unseal(key, 'registry-pull', 'hunter2-very-secret'), 'CORRUPT');
  }));

test('errors and masks never show the value', () =>
  withDir((dir) => {
    const key = loadOrCreateKey(dir);
    const sealed = seal(key, 'token', 'hunter2-very-secret');
    const e = throwsCode(() => unseal(key, 'other', sealed), 'BAD_SIGNATURE', 'secret "other"');
    assert.doesNotMatch(e.message, /hunter2|v1:/);
    const raw = throwsCode(() => unseal(key, 'token', 'hunter2-very-secret'), 'CORRUPT');
    assert.doesNotMatch(raw.message, /hunter2/);
    assert.equal(mask('hunter2-very-secret'), '****');
  }));

test('the sealed file holds no plaintext, is 0600, and an edited entry is refused', () =>
  withDir((dir) => {
    const s = new SealedSecrets(dir);
    s.put('pull', JSON.stringify({ username: 'alice', password: 'hunter2-very-secret' }));
    s.put('token', 'tok-123456');
    const file = join(dir, 'secrets.json');
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /hunter2|alice|tok-123456/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(new SealedSecrets(dir).get('token'), 'tok-123456');
    assert.deepEqual(s.names(), ['pull', 'token']);
    const doc = JSON.parse(text) as { secrets: Record<string, string> };
    doc.secrets.token = doc.secrets.pull!;
    writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
    throwsCode(() => s.get('token'), 'BAD_SIGNATURE', 'secret "token"');
    assert.equal(s.delete('token'), true);
    assert.equal(s.get('token'), undefined);
    throwsCode(() => s.put('../x', 'v'), 'USAGE');
  }));
