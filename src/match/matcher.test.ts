import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory, Package } from '../core/types.js';
import { parseOsvRecord, type OsvRecord } from '../vulndb/osv.js';
import { matchInventory } from './matcher.js';

// Real OSV records (GO-2023-1840 from the Go vulnerability database, PYSEC-2006-3 from PyPA's)
// matched against an image's packages: where each finding is reported, and which link is the advisory.

const record = (id: string): OsvRecord =>
  parseOsvRecord(readFileSync(join(import.meta.dirname, 'fixtures', `${id}.json`)), id);
const RECORDS = [record('GO-2023-1840'), record('PYSEC-2006-3')];
const source = {
  advisoriesFor: (eco: string, name: string) =>
    RECORDS.filter((r) => r.affected?.some((a) => a.package?.ecosystem === eco && a.package.name === name)),
};

const pkg = (p: Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version' | 'path'>): Package => ({
  licenses: [],
  purl: '',
  layer: { index: 1, diffId: 'sha256:1' },
  files: [],
  ...p,
});
const inv = (packages: Package[]): Inventory => ({
  schemaVersion: 1,
  artifact: { name: 'app', type: 'docker-archive', repoTags: [], repoDigests: [] },
  os: null,
  layers: [],
  packages,
  issues: [],
});

test('the same Go toolchain in two binaries under one node_modules: two targets, one per binary', () => {
  const a = '/app/node_modules/esbuild/bin/esbuild';
  const b = '/app/node_modules/@esbuild/linux-x64/bin/esbuild';
  const { findings } = matchInventory(
    inv([
      pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.20.4', path: a }),
      pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.20.4', path: b }),
      pkg({ ecosystem: 'npm', name: 'esbuild', version: '0.18.0', path: '/app/node_modules/esbuild/package.json' }),
      pkg({
        ecosystem: 'pypi',
        name: 'trac',
        version: '0.10',
        path: '/usr/lib/python3/dist-packages/trac-0.10.egg-info/PKG-INFO',
      }),
    ]),
    source,
  );
  assert.deepEqual(findings.map((f) => [f.id, f.package.path, f.target]).sort(), [
    ['CVE-2006-5878', '/usr/lib/python3/dist-packages/trac-0.10.egg-info/PKG-INFO', '/usr/lib/python3/dist-packages'],
    ['CVE-2023-29403', b, b],
    ['CVE-2023-29403', a, a],
  ]);
});

test("the advisory link is the record's ADVISORY reference, else its OSV page — never the first reference", () => {
  const { findings } = matchInventory(
    inv([
      pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.20.4', path: '/usr/local/bin/app' }),
      pkg({
        ecosystem: 'pypi',
        name: 'trac',
        version: '0.10',
        path: '/usr/lib/python3/dist-packages/trac-0.10.egg-info/PKG-INFO',
      }),
    ]),
    source,
  );
  const go = findings.find((f) => f.id === 'CVE-2023-29403')!;
  const trac = findings.find((f) => f.id === 'CVE-2006-5878')!;
  // GO-2023-1840's references are a REPORT (go.dev/issue), a FIX (go.dev/cl, a code review) and a WEB announcement
  assert.equal(go.references[0], 'https://go.dev/issue/60272');
  assert.equal(go.advisory, 'https://osv.dev/vulnerability/GO-2023-1840');
  // PYSEC-2006-3 lists a WEB changelog first, then its ADVISORY references (Debian's DSA first)
  assert.equal(trac.references[0], 'http://trac.edgewall.org/wiki/ChangeLog');
  assert.equal(trac.advisory, 'http://www.debian.org/security/2006/dsa-1209');
});
