import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import type { Package } from '../../core/types.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { npm } from './catalog.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const INSTALLED = join(FIXTURES, 'installed');

interface LsNode {
  name?: string;
  version?: string;
  path?: string;
  dependencies?: Record<string, LsNode>;
}

/** npm's own reading of the installed tree: the project, and every install location once, as [name, version, package.json path]. */
function npmLs(dir: string): { root: string[]; installed: string[][] } {
  const r = spawnSync('npm', ['ls', '--all', '--json', '--long'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = new Map<string, string[]>();
  const walk = (n: LsNode): void => {
    for (const d of Object.values(n.dependencies ?? {})) {
      const at = `/${relative(dir, d.path!)}/package.json`;
      seen.set(at, [d.name!, d.version!, at]);
      walk(d);
    }
  };
  const top = JSON.parse(r.stdout) as LsNode;
  walk(top);
  return {
    root: [top.name!, top.version!, '/package.json'],
    installed: [...seen.values()].sort((a, b) => a[2]!.localeCompare(b[2]!)),
  };
}

test('an installed node_modules tree gives every install location npm ls reports, nested duplicates and aliases included, and the project as the application', async () => {
  const { packages, issues } = await catalogDir(npm, INSTALLED, 'image');
  assert.deepEqual(issues, []);
  const ls = npmLs(INSTALLED);
  const row = (p: Package): string[] => [p.name, p.version, p.path];
  const ours = packages
    .filter((p) => !p.role)
    .map(row)
    .sort((a, b) => a[2]!.localeCompare(b[2]!));
  assert.deepEqual(ours, ls.installed);
  assert.deepEqual(packages.filter((p) => p.role === 'application').map(row), [ls.root]);
  const at = (path: string): Package => packages.find((p) => p.path === `/node_modules/${path}/package.json`)!;
  assert.equal(at('debug/node_modules/ms').version, '2.0.0');
  assert.equal(at('ms').version, '2.1.3');
  // installed under an alias, the package is still debug
  assert.equal(at('debug4').purl, 'pkg:npm/debug@4.4.0');
  assert.equal(at('@babel/helper-string-parser').purl, 'pkg:npm/%40babel/helper-string-parser@7.29.14');
  assert.ok(packages.every((p) => p.ecosystem === 'npm' && p.files.length === 0 && p.layer.index === 0));
});

test('licences are read as a string, an array, an object, a legacy licenses list, and none declared', async () => {
  const { packages } = await catalogDir(npm, INSTALLED, 'image');
  const lic = (name: string): string[] => packages.find((p) => p.name === name)!.licenses;
  assert.deepEqual(lic('react'), ['MIT']);
  assert.deepEqual(lic('json-schema'), ['AFLv2.1', 'BSD']); // legacy "licenses": [{ type, url }]
  assert.deepEqual(lic('pause-stream'), ['MIT', 'Apache2']); // "license": ["MIT", "Apache2"]
  assert.deepEqual(lic('indexof'), []); // none declared
  const own = npm.parse(
    'node_modules/x/package.json',
    Buffer.from('{"name":"x","version":"1.0.0","license":{"type":"ISC","url":"u"}}'),
  );
  assert.deepEqual(own, { kind: 'installed', pkg: { name: 'x', version: '1.0.0', licenses: ['ISC'] } });
});

test('only package.json files that sit in a package directory under node_modules are installed packages', () => {
  const info = { size: 100, mode: 0o644 };
  const yes = [
    'node_modules/ms/package.json',
    'app/node_modules/@babel/core/package.json',
    'node_modules/a/node_modules/b/package.json',
    'node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json',
  ];
  const no = [
    'node_modules/resolve/test/resolver/dot_main/package.json',
    'node_modules/@babel/package.json',
    'node_modules/.cache/package.json',
    'node_modules/x/package.json.bak',
    'app/package.json.bak',
  ];
  // outside node_modules: the application's own manifest
  const app = ['package.json', 'app/package.json', 'xnode_modules/ms/package.json'];
  const manifest = Buffer.from('{"name":"x","version":"1.0.0"}');
  for (const p of yes)
    assert.equal(npm.wants(p, info, 'image', DEFAULT_LIMITS) && npm.parse(p, manifest).kind, 'installed', p);
  for (const p of no) assert.ok(!npm.wants(p, info, 'image', DEFAULT_LIMITS), p);
  for (const p of app)
    assert.equal(npm.wants(p, info, 'image', DEFAULT_LIMITS) && npm.parse(p, manifest).kind, 'application', p);
});

test('lockfiles are read in source trees only, and not those that packages ship inside node_modules', () => {
  const info = { size: 100, mode: 0o644 };
  for (const p of ['package-lock.json', 'app/npm-shrinkwrap.json', 'web/yarn.lock', 'pnpm-lock.yaml']) {
    assert.ok(npm.wants(p, info, 'fs', DEFAULT_LIMITS), p);
    assert.ok(!npm.wants(p, info, 'image', DEFAULT_LIMITS), p);
  }
  assert.ok(!npm.wants('node_modules/x/package-lock.json', info, 'fs', DEFAULT_LIMITS));
  assert.ok(!npm.wants('node_modules/.package-lock.json', info, 'fs', DEFAULT_LIMITS));
});

test('a package.json under node_modules without name or version is reported, unless it is a private workspace manifest', () => {
  throwsCode(
    () => npm.parse('node_modules/x/package.json', Buffer.from('{"name":"x"}')),
    'MISSING_FIELD',
    'node_modules/x/package.json',
  );
  throwsCode(
    () => npm.parse('node_modules/x/package.json', Buffer.from('{"version":"1.0.0"}')),
    'MISSING_FIELD',
    'node_modules/x/package.json',
  );
  throwsCode(
    () => npm.parse('node_modules/x/package.json', Buffer.from('{"name":"x",')),
    'CORRUPT',
    'node_modules/x/package.json',
  );
  throwsCode(
    () => npm.parse('node_modules/x/package.json', Buffer.from('{"name":"a b","version":"1"}')),
    'CORRUPT',
    'node_modules/x/package.json',
  );
  assert.deepEqual(npm.parse('node_modules/x/package.json', Buffer.from('{"private":true}')), {
    kind: 'installed',
    pkg: null,
  });
  assert.deepEqual(npm.parse('node_modules/x/package.json', Buffer.from('\uFEFF{"name":"x","version":"1.0.0"}')), {
    kind: 'installed',
    pkg: { name: 'x', version: '1.0.0', licenses: [] },
  });
});

test('a source tree is scanned for its lockfiles and its installed packages alike, each file its own path', async () => {
  const { packages, issues } = await catalogDir(npm, FIXTURES, 'fs');
  assert.deepEqual(issues, []);
  const byFile = new Map<string, number>();
  for (const p of packages) byFile.set(p.path, (byFile.get(p.path) ?? 0) + 1);
  assert.equal(byFile.get('/lockfiles/pnpm9/pnpm-lock.yaml'), 10);
  assert.equal(byFile.get('/lockfiles/yarn-berry/yarn.lock'), 10);
  assert.equal(byFile.get('/installed/node_modules/ms/package.json'), 1);
  assert.equal([...byFile.keys()].filter((k) => k.startsWith('/lockfiles/') && !k.endsWith('/package.json')).length, 9);
  // each project's package.json beside its lockfile (and the workspace member's) is one application, the lockfile lists none
  const apps = packages.filter((p) => p.role === 'application');
  assert.equal(apps.length, 11);
  assert.equal(apps.filter((p) => p.name === 'bulwark-npm-fixture' && p.path.startsWith('/lockfiles/')).length, 9);
  assert.ok(!packages.some((p) => !p.role && p.name === 'bulwark-npm-fixture'));
  const dev = packages.find((p) => p.path === '/lockfiles/npm-v3/package-lock.json' && p.name === 'is-number')!;
  assert.deepEqual(dev.metadata, { dev: 'true' });
});
