import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { mergeLayers, viewFor, type LayerAnalysis } from '../../analysis/layer-analysis.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { python } from './catalog.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const LAYER = { index: 0, diffId: '' };

test('installed distributions: dist-info, egg-info directories and egg-info files in any site-packages', async () => {
  const { packages, issues } = await catalogDir(python, join(FIXTURES, 'rootfs'), 'image');
  assert.deepEqual(issues, []);
  assert.deepEqual(
    packages.map((p) => [p.path, p.name, p.version, p.licenses.join(' | '), p.purl]),
    [
      [
        '/opt/app/venv/lib/python3.11/site-packages/flask-3.1.3.dist-info/METADATA',
        'Flask',
        '3.1.3',
        'BSD-3-Clause',
        'pkg:pypi/flask@3.1.3',
      ],
      [
        '/opt/app/venv/lib/python3.11/site-packages/jsonschema_specifications-2025.9.1.dist-info/METADATA',
        'jsonschema-specifications',
        '2025.9.1',
        'MIT',
        'pkg:pypi/jsonschema-specifications@2025.9.1',
      ],
      [
        '/usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info/PKG-INFO',
        'certifi',
        '2022.9.24',
        'MPL-2.0',
        'pkg:pypi/certifi@2022.9.24',
      ],
      [
        '/usr/lib/python3/dist-packages/dbus_python-1.3.2.egg-info/PKG-INFO',
        'dbus-python',
        '1.3.2',
        'Expat (MIT/X11)',
        'pkg:pypi/dbus-python@1.3.2',
      ],
      ['/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA', 'pip', '23.0.1', 'MIT', 'pkg:pypi/pip@23.0.1'],
      [
        '/usr/lib/python3/dist-packages/pycairo-1.20.1.egg-info',
        'pycairo',
        '1.20.1',
        'LGPL-2.1-only OR MPL-1.1',
        'pkg:pypi/pycairo@1.20.1',
      ],
      ['/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA', 'PyYAML', '6.0', 'MIT', 'pkg:pypi/pyyaml@6.0'],
      [
        '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
        'requests',
        '2.28.1',
        'Apache 2.0',
        'pkg:pypi/requests@2.28.1',
      ],
      [
        '/usr/local/lib/python3.11/site-packages/urllib3-2.7.0.dist-info/METADATA',
        'urllib3',
        '2.7.0',
        'MIT',
        'pkg:pypi/urllib3@2.7.0',
      ],
    ],
  );
  for (const p of packages) {
    assert.equal(p.ecosystem, 'pypi');
    assert.deepEqual(p.files, []);
    assert.deepEqual(p.layer, LAYER);
  }
});

test('a source tree adds Pipfile.lock, poetry.lock, uv.lock and pinned requirements', async () => {
  const { packages, issues } = await catalogDir(python, join(FIXTURES, 'project'), 'fs');
  assert.deepEqual(issues, []);
  const from = (file: string): string[] =>
    packages.filter((p) => p.path === `/${file}`).map((p) => `${p.name}@${p.version}${p.metadata?.dev ? ' dev' : ''}`);

  const pipenv = from('Pipfile.lock');
  assert.equal(pipenv.length, 42);
  assert.ok(pipenv.includes('pyasn1@0.4.4'));
  assert.ok(pipenv.includes('requests@2.23.0 dev'));

  assert.deepEqual(from('poetry.lock'), [
    'certifi@2025.11.12',
    'charset-normalizer@3.4.4',
    'idna@3.11',
    'pytest@8.4.2 dev',
    'requests@2.32.5',
    'urllib3@2.6.0',
  ]);
  // the virtual root project and the editable workspace member are not dependencies
  assert.deepEqual(from('uv.lock'), [
    'certifi@2025.11.12',
    'charset-normalizer@3.4.4',
    'idna@3.11',
    'pytest@8.4.2',
    'requests@2.32.5',
    'urllib3@2.6.0',
  ]);
  assert.deepEqual(from('requirements-dev.txt'), [
    'Django@4.2.11',
    'PyJWT@2.8.0',
    'typing_extensions@4.10.0',
    'zope.interface@6.2',
  ]);
  assert.equal(from('requirements.txt').length, 101);

  const zope = packages.find((p) => p.name === 'zope.interface')!;
  assert.equal(zope.purl, 'pkg:pypi/zope-interface@6.2');
  assert.equal(packages.find((p) => p.name === 'typing_extensions')!.purl, 'pkg:pypi/typing-extensions@4.10.0');
});

test('lockfiles and requirements are read only when scanning a source tree', () => {
  const info = { size: 100, mode: 0o644 };
  for (const p of ['app/poetry.lock', 'Pipfile.lock', 'srv/uv.lock', 'requirements.txt', 'req/requirements-prod.txt']) {
    assert.equal(python.wants(p, info, 'fs', DEFAULT_LIMITS), true, p);
    assert.equal(python.wants(p, info, 'image', DEFAULT_LIMITS), false, p);
  }
  for (const p of [
    'usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO',
    'usr/lib/python3/dist-packages/pycairo-1.20.1.egg-info',
    'root/.venv/lib/python3.12/site-packages/attrs-24.2.0.dist-info/METADATA',
    'usr/local/lib/python3.8/site-packages/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO',
    'src/mypkg.egg-info/PKG-INFO',
    'usr/local/somesdk/lib/third_party/foo-1.2.dist-info/METADATA',
  ]) {
    assert.equal(python.wants(p, info, 'image', DEFAULT_LIMITS), true, p);
  }
  for (const p of [
    'usr/lib/python3/dist-packages/six-1.16.0.egg-info/SOURCES.txt',
    'usr/lib/python3/dist-packages/pip-23.0.1.dist-info/RECORD',
    'usr/share/doc/python3-yaml/METADATA',
    'opt/tool/EGG-INFO/PKG-INFO',
    'requirements.in',
  ]) {
    assert.equal(python.wants(p, info, 'fs', DEFAULT_LIMITS), false, p);
  }
});

test('each package is attributed to the layer that introduced it; a removed dist-info is gone', () => {
  const sp = 'usr/local/lib/python3.11/site-packages';
  const meta = (name: string, version: string): Buffer =>
    Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  const lock = (pkgs: [string, string][]): Buffer =>
    Buffer.from(
      `${pkgs.map(([n, v]) => `[[package]]\nname = "${n}"\nversion = "${v}"\n`).join('\n')}\n[metadata]\nlock-version = "2.1"\n`,
    );
  const layer = (
    index: number,
    files: Record<string, Buffer>,
    whiteouts: string[] = [],
  ): { ref: { index: number; diffId: string }; analysis: LayerAnalysis } => ({
    ref: { index, diffId: `sha256:${index}` },
    analysis: {
      diffId: `sha256:${index}`,
      whiteouts,
      opaqueDirs: [],
      files: { python: Object.fromEntries(Object.entries(files).map(([p, c]) => [p, { data: python.parse(p, c) }])) },
    },
  });
  const merged = mergeLayers([
    layer(0, {
      [`${sp}/requests-2.28.1.dist-info/METADATA`]: meta('requests', '2.28.1'),
      'app/poetry.lock': lock([['idna', '3.11']]),
    }),
    layer(
      1,
      {
        [`${sp}/requests-2.32.5.dist-info/METADATA`]: meta('requests', '2.32.5'),
        'app/poetry.lock': lock([
          ['idna', '3.11'],
          ['certifi', '2025.11.12'],
        ]),
      },
      [`${sp}/requests-2.28.1.dist-info`],
    ),
  ]);
  const found = python.catalog(viewFor(merged, 'python'), { os: null, issue: () => assert.fail('no issue expected') });
  assert.deepEqual(found.map((p) => [p.name, p.version, p.layer.index]).sort(), [
    ['certifi', '2025.11.12', 1],
    ['idna', '3.11', 0],
    ['requests', '2.32.5', 1],
  ]);
});

test("distributions outside site-packages (a vendored SDK tree, a tool's own egg-info) are catalogued, as Trivy does", async () => {
  const tmp = await makeTempDir();
  try {
    const put = (from: string, to: string): void => {
      mkdirSync(dirname(join(tmp.path, to)), { recursive: true });
      copyFileSync(join(FIXTURES, 'rootfs', from), join(tmp.path, to));
    };
    put(
      'opt/app/venv/lib/python3.11/site-packages/flask-3.1.3.dist-info/METADATA',
      'usr/local/somesdk/lib/third_party/flask-3.1.3.dist-info/METADATA',
    );
    put(
      'usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info/PKG-INFO',
      'opt/tool/certifi-2022.9.24.egg-info/PKG-INFO',
    );
    put('usr/lib/python3/dist-packages/pycairo-1.20.1.egg-info', 'opt/legacy/pycairo-1.20.1.egg-info');
    put(
      'usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA',
      'usr/local/somesdk/dist-info/PyYAML-6.0.dist-info/METADATA',
    );
    const { packages, issues } = await catalogDir(python, tmp.path, 'image');
    assert.deepEqual(issues, []);
    assert.deepEqual(
      packages.map((p) => [p.path, p.name, p.version, p.purl]),
      [
        ['/opt/legacy/pycairo-1.20.1.egg-info', 'pycairo', '1.20.1', 'pkg:pypi/pycairo@1.20.1'],
        ['/opt/tool/certifi-2022.9.24.egg-info/PKG-INFO', 'certifi', '2022.9.24', 'pkg:pypi/certifi@2022.9.24'],
        ['/usr/local/somesdk/dist-info/PyYAML-6.0.dist-info/METADATA', 'PyYAML', '6.0', 'pkg:pypi/pyyaml@6.0'],
        ['/usr/local/somesdk/lib/third_party/flask-3.1.3.dist-info/METADATA', 'Flask', '3.1.3', 'pkg:pypi/flask@3.1.3'],
      ],
    );
  } finally {
    await tmp.remove();
  }
});
