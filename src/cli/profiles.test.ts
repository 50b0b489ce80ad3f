import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileStore } from '../runtime/profiles.js';
import { bulwark } from '../../test/support/fixtures.js';

test('bulwark profiles: list, show, and set a mode by a unique part of the key; bad keys and modes exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-profiles-cli-'));
  try {
    const store = new ProfileStore(join(dir, 'profiles.json'));
    for (const exe of ['/usr/sbin/nginx', '/bin/sh']) store.observe('image:sha256:aaa111', exe);
    store.observe('image:sha256:aaa222', '/app/server');
    store.save();

    const list = bulwark(['profiles', 'list', '--state-dir', dir, '-f', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { key: string; mode: string; programs: number }[]).map((p) => [
        p.key,
        p.mode,
        p.programs,
      ]),
      [
        ['image:sha256:aaa111', 'learn', 2],
        ['image:sha256:aaa222', 'learn', 1],
      ],
    );
    assert.match(bulwark(['profiles', 'list', '--state-dir', dir]).stdout, /^KEY\s+MODE\s+PROGRAMS/);

    const set = bulwark(['profiles', 'mode', 'aaa111', 'protect', '--state-dir', dir]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stderr, 'image:sha256:aaa111: protect\n');
    assert.equal(new ProfileStore(join(dir, 'profiles.json')).mode('image:sha256:aaa111'), 'protect');
    assert.equal(new ProfileStore(join(dir, 'profiles.json')).mode('image:sha256:aaa222'), 'learn');
    assert.equal(
      bulwark(['profiles', 'show', 'aaa111', '--state-dir', dir]).stdout,
      'image:sha256:aaa111 (protect)\n  /bin/sh\n  /usr/sbin/nginx\n',
    );

    const ambiguous = bulwark(['profiles', 'mode', 'aaa', 'monitor', '--state-dir', dir]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /^bulwark: USAGE \(bad command line\): aaa: names 2 profiles/);
    const none = bulwark(['profiles', 'show', 'bbb', '--state-dir', dir]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^bulwark: NOT_FOUND \(not found\): bbb: /);
    const mode = bulwark(['profiles', 'mode', 'aaa111', 'block', '--state-dir', dir]);
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /^bulwark: USAGE \(bad command line\): block: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bulwark profiles show: protected files with the programs that opened them and their access', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-profiles-cli-'));
  try {
    const store = new ProfileStore(join(dir, 'profiles.json'));
    store.observe('image:sha256:ccc333', '/bin/busybox');
    store.observeFile('image:sha256:ccc333', '/etc/passwd', '/bin/busybox', 'read');
    store.observeFile('image:sha256:ccc333', '/etc/app.conf', '/usr/bin/app', 'write');
    store.save();
    const show = bulwark(['profiles', 'show', 'ccc333', '--state-dir', dir]);
    assert.equal(show.code, 0, show.stderr);
    const lines = show.stdout.split('\n').map((l) => l.trimEnd().split(/\s+/).filter(Boolean));
    assert.deepEqual(lines.slice(0, 3), [['image:sha256:ccc333', '(learn)'], ['programs:'], ['/bin/busybox']]);
    assert.deepEqual(lines.slice(3, 7), [
      ['files:'],
      ['FILE', 'ACCESS', 'PROGRAM'],
      ['/etc/app.conf', 'write', '/usr/bin/app'],
      ['/etc/passwd', 'read', '/bin/busybox'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
