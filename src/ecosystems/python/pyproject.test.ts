import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { python } from './catalog.js';
import { parsePyproject } from './pyproject.js';
import { throwsCode } from '../../../test/support/codes.js';

// The shape of the Python Packaging User Guide's "Writing your pyproject.toml" example (PEP 621).
const PEP621 = `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "spam-eggs"
version = "2020.0.0"
dependencies = [
  "httpx",
  "gidgethub[httpx]>4.0.0",
  "django>2.1; os_name != 'nt'",
]
requires-python = ">=3.8"
authors = [{name = "Pradyun Gedam", email = "pradyun@example.com"}]
description = "Lovely Spam! Wonderful Spam!"
readme = "README.rst"
license = "MIT"
keywords = ["egg", "bacon", "sausage", "tomatoes", "Lobster Thermidor"]

[project.optional-dependencies]
gui = ["PyQt5"]

[project.scripts]
spam-cli = "spam:main_cli"
`;

// Poetry 1.x keeps the project in [tool.poetry], as \`poetry new\` writes it.
const POETRY = `[tool.poetry]
name = "demo-service"
version = "0.1.0"
description = ""
authors = ["Jane <jane@example.com>"]
license = "Apache-2.0"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.32"
`;

test('pyproject.toml gives the project from [project] or [tool.poetry], and nothing for a dynamic version or tool settings only', () => {
  assert.deepEqual(parsePyproject(PEP621), { name: 'spam-eggs', version: '2020.0.0', licenses: ['MIT'] });
  assert.deepEqual(parsePyproject(POETRY), { name: 'demo-service', version: '0.1.0', licenses: ['Apache-2.0'] });
  assert.equal(parsePyproject('[project]\nname = "x"\ndynamic = ["version"]\n'), null);
  assert.equal(parsePyproject('[tool.ruff]\nline-length = 100\n'), null);
  assert.deepEqual(parsePyproject('[project]\nname = "x"\nversion = "1"\nlicense = { text = "BSD" }\n'), {
    name: 'x',
    version: '1',
    licenses: ['BSD'],
  });
  throwsCode(() => parsePyproject('[project\nname = "x"'), 'CORRUPT', 'pyproject.toml');
  throwsCode(() => parsePyproject('[project]\nname = "x"\nversion = 1\n'), 'CORRUPT', 'pyproject.toml');
});

test('an image: /app/pyproject.toml is the application, a pyproject.toml under site-packages is no project', async () => {
  const tmp = await makeTempDir('appmanifest-py-');
  try {
    mkdirSync(join(tmp.path, 'app'));
    writeFileSync(join(tmp.path, 'app', 'pyproject.toml'), PEP621);
    const vendored = join(tmp.path, 'usr', 'lib', 'python3', 'dist-packages', 'foo');
    mkdirSync(vendored, { recursive: true });
    writeFileSync(join(vendored, 'pyproject.toml'), POETRY);
    const { packages, issues, wanted } = await catalogDir(python, tmp.path, 'image');
    assert.deepEqual(issues, []);
    assert.deepEqual(wanted, ['app/pyproject.toml']);
    assert.deepEqual(
      packages.map((p) => [p.name, p.version, p.purl, p.path, p.role]),
      [['spam-eggs', '2020.0.0', 'pkg:pypi/spam-eggs@2020.0.0', '/app/pyproject.toml', 'application']],
    );
  } finally {
    await tmp.remove();
  }
});

test('a source tree with pyproject.toml and its uv.lock: one application, the lockfile packages as before', async () => {
  const tmp = await makeTempDir('appmanifest-py-');
  try {
    copyFileSync(join(import.meta.dirname, 'fixtures', 'project', 'uv.lock'), join(tmp.path, 'uv.lock'));
    const before = (await catalogDir(python, tmp.path, 'fs')).packages;
    // the lockfile's own root, { virtual = "." }: the project the pyproject.toml describes
    writeFileSync(join(tmp.path, 'pyproject.toml'), POETRY);
    const { packages, issues } = await catalogDir(python, tmp.path, 'fs');
    assert.deepEqual(issues, []);
    assert.deepEqual(
      packages.filter((p) => p.role === 'application').map((p) => [p.name, p.version, p.path]),
      [['demo-service', '0.1.0', '/pyproject.toml']],
    );
    assert.deepEqual(
      packages.filter((p) => !p.role),
      before,
    );
    assert.ok(!before.some((p) => p.name === 'demo-service'));
  } finally {
    await tmp.remove();
  }
});
