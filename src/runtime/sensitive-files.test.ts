import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { bulwarkRules, sensitiveWatches } from './audit/rules.js';
import { RuleSet } from './rules/ruleset.js';
import { SENSITIVE_FILES } from './sensitive-files.js';

// One list: every file the rules call sensitive is watched (on the host and in a container's
// root), and every watched file is matched by the rules.

const CTR = { 'container.id': 'c0ffee', 'container.name': 'web', 'container.image': 'app:1' };
const rules = RuleSet.load([]);
const names = (path: string, write = false): string[] =>
  rules
    .match({
      'evt.type': 'open',
      'fd.name': path,
      'fd.directory': posix.dirname(path),
      'fd.write': write,
      'proc.exe': '/bin/cat',
      ...CTR,
    })
    .map((m) => m.rule.name);

test('each sensitive file is watched on the host and in a container, and its read and write match the rules', () => {
  assert.ok(SENSITIVE_FILES.includes('/root/.ssh/id_ed25519'));
  const host = bulwarkRules({ arch: 'x64' })
    .filter((r) => r.args[0] === '-w' && r.args.includes('rwa'))
    .map((r) => r.args[1]);
  const inContainer = sensitiveWatches(SENSITIVE_FILES, '/var/lib/docker/overlay2/abc/merged').map((a) => a[1]);
  for (const f of SENSITIVE_FILES) {
    assert.ok(host.includes(f), `${f} watched on the host`);
    assert.ok(inContainer.includes(`/var/lib/docker/overlay2/abc/merged${f}`), `${f} watched in the container`);
    assert.deepEqual(names(f), ['Sensitive file read'], f);
    assert.deepEqual(names(f, true), ['Sensitive file written'], f);
  }
  assert.deepEqual(rules.list('sensitive_files'), SENSITIVE_FILES, 'the rules list is the watched list');
  // a directory entry (a watch covers the files in it) covers its files in the rules too
  assert.deepEqual(names('/etc/sudoers.d/90-cloud-init-users'), ['Sensitive file read']);
});

test('near misses of sensitive files are neither watched nor matched', () => {
  const watched = sensitiveWatches(SENSITIVE_FILES).map((a) => a[1]);
  for (const f of [
    '/root/.ssh/id_ed25519.pub',
    '/root/.ssh/known_hosts',
    '/root/.ssh',
    '/etc/passwd',
    '/home/app/.ssh/id_ed25519x',
  ]) {
    assert.ok(!watched.includes(f), f);
    assert.deepEqual(names(f), [], f);
  }
});
