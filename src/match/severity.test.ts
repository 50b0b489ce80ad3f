import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OsvRecord } from '../vulndb/osv.js';
import { judgeRecords } from './severity.js';

const T = '2024-01-01T00:00:00Z';

test('judgeRecords: a CVSS vector beats a word rating and names its record; words name theirs', () => {
  const ghsa: OsvRecord = { id: 'GHSA-aaaa-bbbb-cccc', modified: T, database_specific: { severity: 'MODERATE' } };
  // NVD's vector for CVE-2021-44228: 10.0
  const cve: OsvRecord = {
    id: 'CVE-2021-44228',
    modified: T,
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }],
  };
  assert.deepEqual(judgeRecords([ghsa, cve]), {
    severity: 'CRITICAL',
    source: 'CVSS 3.1',
    cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10 },
    recordId: 'CVE-2021-44228',
  });
  assert.deepEqual(judgeRecords([ghsa]), {
    severity: 'MEDIUM',
    source: 'feed rating',
    recordId: 'GHSA-aaaa-bbbb-cccc',
  });
  assert.deepEqual(judgeRecords([{ id: 'GO-2022-0969', modified: T }]), { severity: 'UNKNOWN', source: 'none' });
});
