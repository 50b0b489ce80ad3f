import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemeFor } from '../ecosystems/index.js';
import { evaluate } from './affected.js';
import { judgeSeverity, cvssOf } from './severity.js';

const pep440 = schemeFor('PyPI')!;
const semver = schemeFor('npm')!;
const dpkg = schemeFor('Debian')!;

// The OSV schema's evaluation rules, each on ranges shaped like real records
test('introduced/fixed: affected from introduced up to (not including) fixed; the fix is reported', () => {
  const e = { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }] };
  assert.deepEqual(evaluate('2.30.0', e, pep440, semver), { affected: true, fixed: ['2.31.0'] });
  assert.equal(evaluate('2.31.0', e, pep440, semver).affected, false);
  assert.equal(evaluate('2.2.1', e, pep440, semver).affected, false);
  assert.equal(evaluate('2.3.0', e, pep440, semver).affected, true);
});

test('several introduced/fixed pairs in one range, given out of order', () => {
  const e = {
    ranges: [
      { type: 'ECOSYSTEM', events: [{ fixed: '1.5' }, { introduced: '2.0' }, { introduced: '0' }, { fixed: '2.2' }] },
    ],
  };
  assert.deepEqual(
    ['1.0', '1.5', '1.9', '2.0', '2.1', '2.2', '3.0'].map((v) => evaluate(v, e, pep440, semver).affected),
    [true, false, false, true, true, false, false],
  );
  assert.deepEqual(evaluate('2.1', e, pep440, semver).fixed, ['2.2']);
});

test('last_affected includes that version; no fix means unfixed', () => {
  const e = { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1:2.0-3' }] }] };
  assert.deepEqual(evaluate('1:2.0-3', e, dpkg, semver), { affected: true, fixed: [] });
  assert.equal(evaluate('1:2.0-3+deb12u1', e, dpkg, semver).affected, false);
  assert.equal(evaluate('2.0-3', e, dpkg, semver).affected, true, 'epoch 0 sorts below epoch 1');
});

test('limit caps a range; SEMVER ranges compare as SemVer even for a v-prefixed Go version', () => {
  const e = { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { limit: '1.5.0' }] }] };
  assert.equal(evaluate('v1.4.9', e, semver, semver).affected, true);
  assert.equal(evaluate('v1.5.0', e, semver, semver).affected, false);
  const git = { ranges: [{ type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] }] };
  assert.equal(evaluate('1.0', git, pep440, semver).affected, false, 'GIT ranges name commits, not versions');
});

test('an explicit versions list without ranges matches equal versions', () => {
  assert.equal(evaluate('1.0.0', { versions: ['1.0', '1.1'] }, pep440, semver).affected, true, 'PEP 440: 1.0 == 1.0.0');
  assert.equal(evaluate('1.2', { versions: ['1.0', '1.1'] }, pep440, semver).affected, false);
});

test('severity: highest CVSS of the newest version, scores from the vector; else the feed word', () => {
  assert.deepEqual(cvssOf('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), {
    version: '3.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    score: 9.8,
  });
  assert.equal(cvssOf('AV:N/AC:L/Au:N/C:P/I:P/A:P')?.score, 7.5);
  assert.equal(cvssOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')?.score, 9.3);
  assert.equal(cvssOf('not a vector'), undefined);
  const s = judgeSeverity({
    vectors: ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H'],
    words: ['Critical'],
  });
  assert.equal(s.severity, 'MEDIUM', 'CVSS 3.1 (5.9) wins over CVSS 2 and over the feed word');
  assert.equal(judgeSeverity({ vectors: [], words: [undefined, 'Important'] }).severity, 'HIGH');
  assert.equal(judgeSeverity({ vectors: [], words: ['MODERATE'] }).severity, 'MEDIUM');
  assert.equal(judgeSeverity({ vectors: [], words: [] }).severity, 'UNKNOWN');
});

test('feed and image text never reaches inherited object keys', async () => {
  const { severityOfWord } = await import('./severity.js');
  const { distroEcosystems } = await import('../ecosystems/index.js');
  assert.equal(severityOfWord('constructor'), undefined);
  assert.equal(severityOfWord('__proto__'), undefined);
  assert.deepEqual(distroEcosystems({ family: 'constructor', version: '1' }), []);
});
