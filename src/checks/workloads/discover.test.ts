import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { classify, isComposeFileName, scanConfigPath } from './discover.js';
import { readYamlDocuments } from './source.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x}]\n';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-wl-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('discover: the fixture tree — each kind of file found and typed', async () => {
  const scan = await scanConfigPath(fixtures);
  assert.deepEqual(scan.errors, []);
  const types = new Map(scan.files.map((f) => [relative(fixtures, f.file), f.type]));
  assert.equal(types.get(join('k8s', 'web.yaml')), 'kubernetes');
  assert.equal(types.get(join('k8s', 'list.json')), 'kubernetes');
  assert.equal(types.get(join('compose', 'docker-compose.yml')), 'compose');
  assert.equal(types.get(join('docker', 'create-body.json')), 'docker-create');
  // compose fixtures under checks/ are not named like compose files: found by their `services`
  assert.equal(types.get(join('checks', 'BW-WL-001', 'fail-compose.yaml')), 'compose');
  assert.equal(types.get(join('checks', 'BW-WL-001', 'fail-docker.json')), 'docker-create');
  assert.ok(scan.workloads.length > 90);
  assert.ok(scan.skipped.some((s) => s.kind === 'Service'));
});

test('discover: what is skipped, what is ignored, and what is an error', async () => {
  const dir = tree({
    'deploy/app.yaml': POD,
    'deploy/alerts.yaml': `${POD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rule: "{{ $labels.instance }} is down"\n`,
    'deploy/broken.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n',
    'deploy/wrong.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: "yes"}\n',
    'chart/templates/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
    '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n',
    'config/settings.yaml': 'a: [unclosed\n',
    'package.json': '{"name": "x", "version": "1.0.0"}',
    'node_modules/pkg/pod.yaml': POD,
    '.git/objects/pod.yaml': POD,
    'compose.yaml': 'services:\n  web:\n    image: nginx\n',
    'docker-compose.override.yml': 'services:\n  web:\n    privileged: true\n',
    'bodies/run.json': '{"Image": "x", "HostConfig": {"Privileged": true}}',
    'README.md': POD,
  });
  try {
    const scan = await scanConfigPath(dir);
    const rel = (f: string) => relative(dir, f);
    assert.deepEqual(
      scan.files.map((f) => [rel(f.file), f.type]),
      [
        ['bodies/run.json', 'docker-create'],
        ['compose.yaml', 'compose'],
        ['deploy/alerts.yaml', 'kubernetes'],
        ['deploy/app.yaml', 'kubernetes'],
        ['docker-compose.override.yml', 'compose'],
      ],
    );
    assert.deepEqual(
      scan.workloads.map((w) => `${w.target}:${w.name}`),
      ['docker-create:run', 'compose:web', 'kubernetes:p', 'kubernetes:p', 'compose:web'],
    );
    assert.deepEqual(
      scan.errors.map((e) => [e.code, rel(e.input)]),
      [
        ['CORRUPT', 'deploy/broken.yaml'],
        ['CORRUPT', 'deploy/wrong.yaml'],
      ],
    );
    assert.match(
      scan.errors[1]!.message,
      /deploy\/wrong\.yaml: Pod\/p: spec\.hostNetwork: expected true or false, got "yes" \(line 4\)$/,
    );
    assert.deepEqual(
      scan.skipped.map((s) => [rel(s.file), s.reason]),
      [
        [
          'chart/templates/deployment.yaml',
          'contains template placeholders ({{ … }}): render it first (helm template, envsubst)',
        ],
        ['deploy/alerts.yaml', 'kind has no pod template'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discover: symlinks — inside the tree followed, outside not, directories never', async () => {
  const outside = tree({ 'secret-pod.yaml': POD });
  const dir = tree({ 'real/pod.yaml': POD });
  try {
    symlinkSync(join(dir, 'real', 'pod.yaml'), join(dir, 'link.yaml'));
    symlinkSync(join(outside, 'secret-pod.yaml'), join(dir, 'escape.yaml'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
    const scan = await scanConfigPath(dir);
    assert.deepEqual(
      scan.files.map((f) => relative(dir, f.file)),
      ['link.yaml', 'real/pod.yaml'],
    );
    assert.deepEqual(
      scan.skipped.map((s) => [relative(dir, s.file), s.reason]),
      [
        ['dangling.yaml', 'dangling symlink'],
        ['escape.yaml', 'symlink leads outside the scanned directory'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('discover: bounds — file size, file count, depth', async () => {
  const dir = tree({
    'a.yaml': POD,
    'b.yaml': POD,
    'c.yaml': POD,
    'big.yaml': `${POD}# ${'x'.repeat(2000)}\n`,
    'd1/d2/d3/deep.yaml': POD,
  });
  try {
    const small = await scanConfigPath(dir, { maxFileSize: 1000 });
    assert.deepEqual(
      small.skipped.map((s) => [relative(dir, s.file), s.reason]),
      [['big.yaml', 'larger than 1000 bytes']],
    );
    const few = await scanConfigPath(dir, { maxFiles: 2 });
    assert.deepEqual(
      few.files.map((f) => relative(dir, f.file)),
      ['a.yaml', 'b.yaml'],
    );
    assert.deepEqual(
      few.skipped.map((s) => s.reason),
      ['more than 2 candidate files; the rest were not read'],
    );
    const shallow = await scanConfigPath(dir, { maxDepth: 1 });
    assert.ok(!shallow.files.some((f) => f.file.endsWith('deep.yaml')));
    assert.deepEqual(
      shallow.skipped.map((s) => [relative(dir, s.file), s.reason]),
      [[join('d1', 'd2'), 'deeper than 1 directories']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discover: a single file — read whatever its name; not found is an error', async () => {
  const dir = tree({ 'x.txt': POD, 'notes.yaml': 'title: notes\n', 'bad.json': '{"HostConfig": ' });
  try {
    const one = await scanConfigPath(join(dir, 'x.txt'));
    assert.deepEqual([one.files.length, one.workloads.length], [1, 1]);
    const notes = await scanConfigPath(join(dir, 'notes.yaml'));
    assert.deepEqual(
      notes.skipped.map((s) => s.reason),
      ['not a Kubernetes manifest, compose file or container-create body'],
    );
    const bad = await scanConfigPath(join(dir, 'bad.json'));
    assert.equal(bad.errors.length, 1);
    assert.match(bad.errors[0]!.message, /bad\.json: .*invalid JSON/);
    await assert.rejects(
      scanConfigPath(join(dir, 'missing')),
      (e: unknown) => e instanceof BulwarkError && e.code === 'NOT_FOUND',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discover: classification rules', () => {
  const cls = (file: string, text: string) => classify(file, readYamlDocuments(text, file));
  assert.equal(cls('a.yaml', POD), 'kubernetes');
  assert.equal(cls('a.yaml', 'services:\n  web: {}\n'), 'compose');
  assert.equal(cls('a.yaml', 'services: [a]\n'), undefined);
  assert.equal(cls('a.json', '{"HostConfig": {}}'), 'docker-create');
  assert.equal(cls('a.yaml', '{"HostConfig": {}}'), undefined);
  assert.equal(cls('a.yaml', 'kind: Pod\n'), undefined);
  for (const n of [
    'compose.yaml',
    'compose.yml',
    'docker-compose.yml',
    'docker-compose.prod.yaml',
    'compose.override.yml',
    'x/Docker-Compose.YML',
  ])
    assert.ok(isComposeFileName(n), n);
  for (const n of ['compose.json', 'my-compose.yml', 'composer.yaml']) assert.ok(!isComposeFileName(n), n);
});
