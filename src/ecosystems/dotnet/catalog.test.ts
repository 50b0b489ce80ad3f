import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../analysis/layer-analysis.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { dotnet } from './catalog.js';
import { parseDepsJson } from './deps-json.js';
import { nugetPurl } from './package.js';
import { parsePackagesLock } from './packages-lock.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const LAYER = { index: 0, diffId: '' };
const NEWTONSOFT_SHA512 = 'HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==';

test('a published application: NuGet packages from its deps.json, not its projects or references', async () => {
  const { packages, issues } = await catalogDir(dotnet, join(FIXTURES, 'rootfs'), 'image');
  assert.deepEqual(issues, []);
  assert.deepEqual(
    packages.map((p) => [p.path, p.name, p.version, p.purl]),
    [
      ['/app/Contoso.Api.deps.json', 'Newtonsoft.Json', '13.0.3', 'pkg:nuget/Newtonsoft.Json@13.0.3'],
      ['/app/Contoso.Api.deps.json', 'Serilog', '3.1.1', 'pkg:nuget/Serilog@3.1.1'],
      ['/app/Contoso.Api.deps.json', 'Serilog.Sinks.Console', '5.0.1', 'pkg:nuget/Serilog.Sinks.Console@5.0.1'],
    ],
  );
  const nj = packages[0]!;
  assert.equal(nj.ecosystem, 'nuget');
  assert.deepEqual(nj.metadata, { sha512: NEWTONSOFT_SHA512 });
  assert.deepEqual(nj.layer, LAYER);
  assert.deepEqual(nj.files, []);
  assert.deepEqual(nj.licenses, []);
});

test('a source tree: each packages.lock.json once per package across frameworks, without project references', async () => {
  const { packages, issues } = await catalogDir(dotnet, join(FIXTURES, 'project'), 'fs');
  assert.deepEqual(issues, []);
  assert.deepEqual(
    packages.map((p) => `${p.path} ${p.name}@${p.version}`),
    [
      '/src/Contoso.Api/packages.lock.json Newtonsoft.Json@13.0.3',
      '/src/Contoso.Api/packages.lock.json Serilog@3.1.1',
      '/src/Contoso.Api/packages.lock.json Serilog.Sinks.Console@5.0.1',
      '/src/Contoso.Core/packages.lock.json Newtonsoft.Json@13.0.3',
      '/src/Contoso.Core/packages.lock.json System.Text.Encodings.Web@4.7.2',
    ],
  );
  assert.equal(packages[0]!.metadata?.sha512, NEWTONSOFT_SHA512);
  // the image target reads no lockfiles
  assert.deepEqual((await catalogDir(dotnet, join(FIXTURES, 'project'), 'image')).packages, []);
});

test('wants: any <name>.deps.json; packages.lock.json only in source trees', () => {
  const info = { size: 10, mode: 0o644 };
  assert.equal(dotnet.wants('app/Contoso.Api.deps.json', info, 'image', DEFAULT_LIMITS), true);
  assert.equal(
    dotnet.wants(
      'usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json',
      info,
      'image',
      DEFAULT_LIMITS,
    ),
    true,
  );
  assert.equal(dotnet.wants('app/.deps.json', info, 'image', DEFAULT_LIMITS), false);
  assert.equal(dotnet.wants('app/Contoso.Api.runtimeconfig.json', info, 'fs', DEFAULT_LIMITS), false);
  assert.equal(dotnet.wants('src/App/packages.lock.json', info, 'image', DEFAULT_LIMITS), false);
  assert.equal(dotnet.wants('src/App/packages.lock.json', info, 'fs', DEFAULT_LIMITS), true);
  assert.equal(dotnet.wants('src/App/obj/project.assets.json', info, 'fs', DEFAULT_LIMITS), false);
});

test('different versions of one package in different frameworks are all kept', () => {
  const lock = JSON.stringify({
    version: 1,
    dependencies: {
      'net6.0': { 'System.Text.Json': { type: 'Direct', resolved: '6.0.10', contentHash: '' } },
      'net8.0': { 'System.Text.Json': { type: 'Direct', resolved: '8.0.5', contentHash: '' } },
    },
  });
  assert.deepEqual(parsePackagesLock(lock), [
    { name: 'System.Text.Json', version: '6.0.10' },
    { name: 'System.Text.Json', version: '8.0.5' },
  ]);
});

test('a package upgraded in a later layer is attributed to that layer', () => {
  const deps = (libs: Record<string, string>): Buffer =>
    Buffer.from(
      JSON.stringify({
        targets: {},
        libraries: Object.fromEntries(Object.entries(libs).map(([k, type]) => [k, { type }])),
      }),
    );
  const layer = (
    index: number,
    content: Buffer,
  ): { ref: { index: number; diffId: string }; analysis: LayerAnalysis } => ({
    ref: { index, diffId: `sha256:${index}` },
    analysis: {
      diffId: `sha256:${index}`,
      whiteouts: [],
      opaqueDirs: [],
      files: { dotnet: { 'app/App.deps.json': { data: dotnet.parse('app/App.deps.json', content) } } },
    },
  });
  const merged = mergeLayers([
    layer(0, deps({ 'App/1.0.0': 'project', 'Serilog/3.1.1': 'package', 'Dapper/2.1.35': 'package' })),
    layer(1, deps({ 'App/1.0.0': 'project', 'Serilog/4.0.0': 'package', 'Dapper/2.1.35': 'package' })),
  ]);
  const found = dotnet.catalog(viewFor(merged, 'dotnet'), { os: null, issue: () => assert.fail('no issue expected') });
  assert.deepEqual(
    found.map((p) => [p.name, p.version, p.layer.index]),
    [
      ['Serilog', '4.0.0', 1],
      ['Dapper', '2.1.35', 0],
    ],
  );
});

test('malformed deps.json and packages.lock.json fail with a reason', () => {
  throwsCode(() => parseDepsJson('{"targets": {}, "libraries": '), 'CORRUPT', 'deps.json');
  throwsCode(() => parseDepsJson('{"targets": {}}'), 'CORRUPT', 'deps.json');
  throwsCode(
    () => parseDepsJson('{"targets": {}, "libraries": {"NoVersion": {"type": "package"}}}'),
    'CORRUPT',
    'deps.json',
  );
  throwsCode(() => parseDepsJson('{"targets": {}, "libraries": {"A/1": {}}}'), 'CORRUPT', 'deps.json');
  throwsCode(() => parsePackagesLock('{"dependencies": {}}'), 'CORRUPT', 'packages.lock.json');
  throwsCode(
    () => parsePackagesLock('{"version": 1, "dependencies": {"net8.0": {"A": {"type": "Direct"}}}}'),
    'MISSING_FIELD',
    'packages.lock.json',
  );
});

test('purls keep the NuGet id as written', () => {
  assert.equal(
    nugetPurl('Microsoft.AspNetCore.App.Runtime.linux-x64', '8.0.11'),
    'pkg:nuget/Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.11',
  );
  assert.equal(nugetPurl('xunit', '2.9.2+build.1'), 'pkg:nuget/xunit@2.9.2+build.1');
});

test('property: arbitrary and mutated JSON never escapes as anything but an Error', () => {
  const seeds = [
    '{"targets": {}, "libraries": {"A/1.0.0": {"type": "package", "sha512": "sha512-x"}, "B/2": {"type": "project"}}}',
    '{"version": 1, "dependencies": {"net8.0": {"A": {"type": "Direct", "resolved": "1.0.0"}, "b": {"type": "Project"}}}}',
  ];
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc
      .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 30 }), fc.string({ maxLength: 20 }))
      .map(([s, at, cut, ins]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + cut);
      }),
  );
  fc.assert(
    fc.property(text, (t) => {
      for (const parse of [parseDepsJson, parsePackagesLock]) {
        try {
          parse(t);
        } catch (e) {
          assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});
