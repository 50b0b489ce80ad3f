import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bulwark } from '../../test/support/fixtures.js';

const MAIN = join(import.meta.dirname, 'main.ts');

/** The CLI as `bulwark` runs it, with stdin (the shared helper has no input). */
function compare(ecosystem: string, input: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'version', 'compare', '--ecosystem', ecosystem], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('version compare prints -1, 0 or 1 per line, with CRLF and without a final newline', () => {
  const r = compare('Debian:12', '1.0~rc1\t1.0\r\n1:1.0\t2.0\n2.36-9+deb12u4\t2.36-9+deb12u4\n1.0+deb12u1\t1.0');
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '-1\n1\n0\n1\n');
  assert.equal(compare('PyPI', '1.0rc1\t1.0\n').stdout, '-1\n', 'a final newline adds no line');
  assert.equal(compare('npm', '').stdout, '');
});

test('version compare streams a large input across chunk boundaries', () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `1.${i % 7}.${i}-r${i % 3}\t1.${(i + 3) % 7}.${i}-r0`);
  const r = compare('Alpine:v3.19', `${lines.join('\n')}\n`);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out.length, lines.length + 1);
  for (let i = 0; i < lines.length; i += 997) {
    const want = i % 7 < (i + 3) % 7 ? '-1' : i % 7 > (i + 3) % 7 ? '1' : i % 3 === 0 ? '0' : '1';
    assert.equal(out[i], want, lines[i]);
  }
});

test('a line without a tab stops with one error line naming it, after the earlier results', () => {
  const r = compare('Debian', '1.0\t1.0\n2.0\t1.0\nno tab here\n3\t4\n');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '0\n1\n');
  assert.equal(r.stderr, 'bulwark: CORRUPT (corrupt data): stdin:3: expected two versions separated by a tab\n');
});

test('an invalid version stops with one error line naming the line, the version and the scheme', () => {
  const r = compare('Debian', '1.0\t1.0\n:1\t1\n');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '0\n');
  assert.equal(r.stderr, 'bulwark: CORRUPT (corrupt data): stdin:2: :1: empty epoch for dpkg\n');
  const m = compare('Packagist', '1.0\tdev-master\n');
  assert.equal(m.code, 2);
  assert.match(m.stderr, /^bulwark: CORRUPT \(corrupt data\): stdin:1: dev-master: .* for composer\n$/);
});

test('an unknown ecosystem is a usage error, never a default scheme', () => {
  const r = bulwark(['version', 'compare', '--ecosystem', 'Hex']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^bulwark: USAGE \(bad command line\): Hex: unknown ecosystem \(known: Debian, /);
  assert.equal(r.stderr.split('\n').length, 2);
  assert.equal(bulwark(['version', 'compare']).code, 2);
});

test('version compare --help shows an example', () => {
  const r = bulwark(['version', 'compare', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Example:\n.*bulwark version compare --ecosystem Debian/);
});
