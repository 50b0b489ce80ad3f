import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { have, requireAll } from '../../../test/support/require.js';
import { applyReplaces, parseGoMod } from './gomod.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'gomod', 'go.mod');

interface EditJson {
  Module: { Path: string };
  Go?: string;
  Require?: { Path: string; Version: string; Indirect?: boolean }[];
  Replace?: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[];
}

test('go.mod reads as `go mod edit -json` reads it: module, requires, indirect, replaces', (t) => {
  const mod = parseGoMod(readFileSync(FIXTURE, 'utf8'));
  if (requireAll(t, { 'go (Debian golang-go)': have('go') })) {
    const r = spawnSync('go', ['mod', 'edit', '-json', FIXTURE], {
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' },
    });
    const oracle = JSON.parse(r.stdout) as EditJson;
    assert.equal(mod.module, oracle.Module.Path);
    assert.equal(mod.go, oracle.Go);
    assert.deepEqual(
      mod.require,
      (oracle.Require ?? []).map((q) => ({ path: q.Path, version: q.Version, indirect: q.Indirect === true })),
    );
    assert.deepEqual(
      mod.replace,
      (oracle.Replace ?? []).map((p) => ({
        oldPath: p.Old.Path,
        ...(p.Old.Version ? { oldVersion: p.Old.Version } : {}),
        newPath: p.New.Path,
        ...(p.New.Version ? { newVersion: p.New.Version } : {}),
      })),
    );
  }
  // the facts themselves, so the test says something without the oracle too
  assert.equal(mod.module, 'github.com/acme/widget');
  assert.equal(mod.require.length, 8);
  assert.deepEqual(
    mod.require.filter((r) => r.indirect).map((r) => r.path),
    ['golang.org/x/sys', 'golang.org/x/text'],
  );
  assert.equal(mod.require.at(-1)?.path, 'github.com/BurntSushi/toml', 'quoted path');
});

test('replace directives: exact version first, then any version; directories kept as such', () => {
  const deps = applyReplaces(parseGoMod(readFileSync(FIXTURE, 'utf8')));
  const by = Object.fromEntries(deps.map((d) => [d.path, d.replaced]));
  assert.deepEqual(by['golang.org/x/net'], {
    oldPath: 'golang.org/x/net',
    oldVersion: 'v0.7.0',
    newPath: 'golang.org/x/net',
    newVersion: 'v0.8.0',
  });
  assert.equal(by['github.com/sirupsen/logrus']?.newPath, 'github.com/acme/logrus');
  assert.deepEqual(by['gopkg.in/yaml.v3'], { oldPath: 'gopkg.in/yaml.v3', newPath: './third_party/yaml' });
  assert.equal(by['golang.org/x/sys'], undefined, 'a replacement for another version does not apply');
});

test('newer directives (toolchain, godebug, tool, ignore) and one-line forms parse', () => {
  const mod = parseGoMod(
    [
      'module example.com/m',
      'go 1.23.0',
      'toolchain go1.23.4',
      'godebug default=go1.21',
      'tool golang.org/x/tools/cmd/stringer',
      'ignore ./node_modules',
      'require()',
      'require (',
      ')',
      'require golang.org/x/mod v0.20.0',
      'replace golang.org/x/mod => /src/mod',
    ].join('\n'),
  );
  assert.equal(mod.toolchain, 'go1.23.4');
  assert.deepEqual(mod.require, [{ path: 'golang.org/x/mod', version: 'v0.20.0', indirect: false }]);
  assert.deepEqual(mod.replace, [{ oldPath: 'golang.org/x/mod', newPath: '/src/mod' }]);
});

test('malformed go.mod files fail with the line and the reason', () => {
  throwsCode(() => parseGoMod('module a\nrequire (\n  b v1.0.0\n'), 'TRUNCATED', 'go.mod');
  throwsCode(() => parseGoMod('module a\nrequire b\n'), 'CORRUPT', 'go.mod line 2');
  throwsCode(() => parseGoMod('module a\nreplace b => c\n'), 'CORRUPT', 'go.mod line 2');
  throwsCode(() => parseGoMod('module "a\n'), 'CORRUPT', 'go.mod line 1');
  throwsCode(() => parseGoMod('<html>\n'), 'CORRUPT', 'go.mod line 1');
  throwsCode(() => parseGoMod('module a b\n'), 'CORRUPT', 'go.mod line 1');
  throwsCode(() => parseGoMod('require(a v1.0.0)\n'), 'CORRUPT', 'go.mod line 1'); // as go rejects it
});

test('property: any text either parses or fails with an Error', () => {
  const piece = fc.constantFrom(
    'module',
    'require',
    'replace',
    '(',
    ')',
    '=>',
    '"',
    '`',
    '//',
    'indirect',
    'v1.2.3',
    'a/b',
    '\n',
    ' ',
    '\t',
    './x',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 40 }), (parts) => {
      try {
        applyReplaces(parseGoMod(parts.join('')));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }),
    { numRuns: 200 },
  );
});
