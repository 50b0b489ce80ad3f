import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { bulwark } from '../../test/support/fixtures.js';
import { dockerArchive } from '../../test/support/image-writer.js';
import { makeTar, type TestEntry } from '../../test/support/layers.js';

// Item 8 of the hardening issue: names from an image are keys of Maps or null-prototype
// objects, never of plain objects, so a file or package named after an Object.prototype
// member is scanned like any other (a plain object silently swallowed `/__proto__`).

const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'];
// synthetic credentials in the documented AWS format (not the documented example values)
const SECRET_KEY = 'q7Rf3kZp9XvB2mWcLs8TnYd4Hj6GaE1uQo0VrKxi';

const dpkgEntry = (n: string): string =>
  `Package: ${n}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n`;

function entries(): TestEntry[] {
  return [
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { name: 'var/lib/dpkg/status', content: ['base-files', ...NAMES].map(dpkgEntry).join('') },
    ...NAMES.map((n) => ({ name: n, content: `aws_secret_access_key = ${SECRET_KEY}\n` })),
    ...NAMES.map((n) => ({ name: `srv/${n}/config.env`, content: `aws_secret_access_key = ${SECRET_KEY}\n` })),
    ...NAMES.map((n) => ({
      name: `usr/lib/python3/dist-packages/${n}-1.0.dist-info/METADATA`,
      content: `Metadata-Version: 2.1\nName: ${n}\nVersion: 1.0\n`,
    })),
  ];
}

interface Report {
  packages: { name: string; ecosystem: string }[];
  checks: { checkId: string; location: { path: string } }[];
}

function found(stdout: string): { deb: string[]; pypi: string[]; secrets: string[] } {
  const r = JSON.parse(stdout) as Report;
  const names = (eco: string): string[] =>
    r.packages
      .filter((p) => p.ecosystem === eco)
      .map((p) => p.name)
      .sort();
  return {
    deb: names('deb'),
    pypi: names('pypi'),
    secrets: r.checks
      .filter((c) => c.checkId.startsWith('BW-SEC-'))
      .map((c) => c.location.path)
      .sort(),
  };
}

const expected = {
  deb: ['base-files', ...NAMES].sort(),
  pypi: [...NAMES].sort(),
  secrets: [...NAMES.map((n) => `/${n}`), ...NAMES.map((n) => `/srv/${n}/config.env`)].sort(),
};

test('files, directories and packages named __proto__, constructor, … are found in an image, cold and from the layer cache', async () => {
  const tmp = await makeTempDir();
  try {
    const archive = join(tmp.path, 'names.tar');
    writeFileSync(archive, await dockerArchive([{ tar: await makeTar(entries()) }]));
    const args = [
      'scan',
      'image',
      archive,
      '--scanners',
      'pkg,secret',
      '-f',
      'json',
      '-q',
      '--cache-dir',
      join(tmp.path, 'cache'),
    ];
    for (const run of ['cold', 'warm']) {
      const r = bulwark(args);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(found(r.stdout), expected, run);
    }
  } finally {
    await tmp.remove();
  }
});

test('the same names in an unpacked root filesystem are found', async () => {
  const tmp = await makeTempDir();
  try {
    for (const e of entries()) {
      const p = join(tmp.path, 'root', e.name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, e.content ?? '');
    }
    const r = bulwark(['scan', 'rootfs', join(tmp.path, 'root'), '--scanners', 'pkg,secret', '-f', 'json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(found(r.stdout), expected);
  } finally {
    await tmp.remove();
  }
});
