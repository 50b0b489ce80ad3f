import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { npm } from './catalog.js';
import { keyToSpec } from './pnpm-lock.js';

// Lockfiles and package.json files are untrusted input: whatever the bytes, parse
// returns plain data or throws an Error, never anything else and never hangs.

const FILES = ['node_modules/x/package.json', 'app/package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'];

function parsesOrThrowsError(path: string, text: string): void {
  try {
    const r = npm.parse(path, Buffer.from(text));
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  } catch (e) {
    assert.ok(e instanceof Error, `${path}: threw ${String(e)}`);
  }
}

test('property: arbitrary text and arbitrary JSON parse or throw an Error, for every file kind', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ lockfileVersion: 3, packages: v })),
  );
  fc.assert(
    fc.property(fc.constantFrom(...FILES), text, (path, t) => parsesOrThrowsError(path, t)),
    { numRuns: 200 },
  );
});

test('property: lockfile-shaped text with random keys and values parses or throws an Error', () => {
  const word = fc.stringMatching(/^[@a-z0-9/_.()~:-]{0,16}$/);
  const yamlish = fc
    .array(fc.tuple(word, word, word), { maxLength: 6 })
    .map(
      (rows) =>
        `lockfileVersion: '9.0'\npackages:\n${rows.map(([k, f, v]) => `  '${k}':\n    ${f || 'x'}: ${v || '1'}\n`).join('')}`,
    );
  const yarnish = fc
    .array(fc.tuple(word, word), { maxLength: 6 })
    .map(
      (rows) =>
        `__metadata:\n  version: 8\n${rows.map(([k, v]) => `"${k}":\n  version: ${v || '1'}\n  resolution: "${k}"\n`).join('')}`,
    );
  fc.assert(
    fc.property(yamlish, yarnish, (p, y) => {
      parsesOrThrowsError('pnpm-lock.yaml', p);
      parsesOrThrowsError('yarn.lock', y);
    }),
    { numRuns: 200 },
  );
});

test('property: a v3 package-lock of random packages lists each name@version once', () => {
  const name = fc.stringMatching(/^(@[a-z][a-z0-9-]{0,6}\/)?[a-z][a-z0-9.-]{0,10}$/);
  const version = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/);
  fc.assert(
    fc.property(fc.array(fc.record({ name, version, nest: fc.boolean() }), { maxLength: 10 }), (pkgs) => {
      const packages: Record<string, { version: string }> = { '': { version: '1.0.0' } };
      pkgs.forEach(
        (p, i) =>
          (packages[p.nest ? `node_modules/parent${i}/node_modules/${p.name}` : `node_modules/${p.name}`] = {
            version: p.version,
          }),
      );
      const r = npm.parse('package-lock.json', Buffer.from(JSON.stringify({ lockfileVersion: 3, packages })));
      assert.ok(r.kind === 'lock');
      const want = [
        ...new Set(
          Object.entries(packages)
            .filter(([k]) => k)
            .map(([k, v]) => `${k.slice(k.lastIndexOf('node_modules/') + 13)}@${v.version}`),
        ),
      ].sort();
      assert.deepEqual(r.packages.map((e) => `${e.name}@${e.version}`).sort(), want);
    }),
    { numRuns: 150 },
  );
});

test('property: pnpm keys written in any lockfile version read back as the same name and version', () => {
  const name = fc.stringMatching(/^(@[a-z][a-z0-9-]{0,6}\/)?[a-z][a-z0-9.-]{0,10}$/);
  const version = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(-[a-z0-9.]{1,5})?$/);
  const peer = fc.option(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[0-9]\.[0-9]\.[0-9]$/)));
  fc.assert(
    fc.property(name, version, peer, (n, v, p) => {
      assert.deepEqual(keyToSpec(`/${n}/${v}${p ? `_${p[0]}@${p[1]}` : ''}`, 5, 'x'), [n, v]);
      assert.deepEqual(keyToSpec(`/${n}@${v}${p ? `(${p[0]}@${p[1]})` : ''}`, 6, 'x'), [n, v]);
      assert.deepEqual(keyToSpec(`${n}@${v}`, 9, 'x'), [n, v]);
    }),
    { numRuns: 200 },
  );
});
