import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTACK_ID, STRIDE } from '../../core/threat.js';
import { matchInventory } from '../../match/matcher.js';
import { parseOsvRecord } from '../../vulndb/osv.js';
import { diffFindings } from './diff.js';
import { NEW_VULNERABILITY_RULE, newVulnerabilityEvents, type RunningContainer } from './events.js';
import { realInventory } from './fixtures/feeds.js';

// A real record (GO-2023-1840, CVSS added as a DB update would) newly affecting the real
// inventory: one event per running container of that image and per new finding, none elsewhere.

const record = parseOsvRecord(
  readFileSync(join(import.meta.dirname, '..', '..', 'match', 'fixtures', 'GO-2023-1840.json')),
  'GO',
);
const rated = { ...record, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }] };
const inv = realInventory();
const findings = matchInventory(inv, {
  advisoriesFor: (eco, name) => (eco === 'Go' && name === 'stdlib' ? [rated] : []),
}).findings;
const diff = { digest: 'sha256:aaa', ...diffFindings([], findings) };
const at = new Date('2024-05-06T07:08:09Z');

const web: RunningContainer = {
  host: 'node-1',
  id: 'c1'.repeat(32),
  name: 'web',
  image: 'app:1',
  imageDigest: 'sha256:aaa',
};
const other: RunningContainer = { host: 'node-2', id: 'c2'.repeat(32), name: 'db', imageDigest: 'sha256:bbb' };

test('one event per (running container, new finding), carrying host, container, package, versions, CVSS', () => {
  assert.ok(diff.added.length > 1);
  const second = { ...web, id: 'c3'.repeat(32), name: 'web-2', host: 'node-2' };
  const events = newVulnerabilityEvents(diff, [web, other, second], () => at);
  assert.equal(events.length, diff.added.length * 2);
  assert.deepEqual(new Set(events.map((e) => e.container!.id)), new Set([web.id, second.id]));
  const e = events[0]!;
  const f = diff.added[0]!;
  assert.equal(e.rule, NEW_VULNERABILITY_RULE);
  assert.equal(e.severity, 'HIGH');
  assert.equal(e.host, 'node-1');
  assert.deepEqual(e.container, { id: web.id, name: 'web', image: 'app:1', imageDigest: 'sha256:aaa' });
  assert.equal(e.time, at.toISOString());
  assert.deepEqual(
    {
      v: e.fields!.vulnerability,
      p: e.fields!.package,
      i: e.fields!.installedVersion,
      x: e.fields!.fixedVersion,
      c: e.fields!.cvss,
    },
    { v: 'CVE-2023-29403', p: 'stdlib', i: f.package.version, x: f.fixedVersions.join(','), c: 7.8 },
  );
  assert.ok(STRIDE.includes(e.stride) && ATTACK_ID.test(e.attack) && e.action === 'alert');
  assert.match(e.message, /CVE-2023-29403 \(HIGH CVSS 7.8\) in stdlib .* now affects running container web on node-1/);
  assert.equal(new Set(events.map((x) => x.id)).size, events.length);
});

test('no event for an image that is not running, nor for findings that were there before', () => {
  assert.deepEqual(newVulnerabilityEvents(diff, [other]), []);
  assert.deepEqual(newVulnerabilityEvents({ ...diff, added: [] }, [web]), []);
});
