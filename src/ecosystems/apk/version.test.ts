import { test } from 'node:test';
import { assertInvalid, assertTable } from '../../../test/support/oracle.js';
import { apkScheme } from './version.js';

// [a, b, expected compare(a, b)]: apk-tools' version grammar and real Alpine/Wolfi versions.
// apk-tools is not packaged for Debian, so there is no reference tool here: tables only.
const TABLE: [string, string, number][] = [
  ['1.2.3_rc1', '1.2.3', -1],
  ['1.2.3', '1.2.3_p1', -1],
  ['1.2.3_rc1', '1.2.3_p1', -1],
  ['1.2.3_alpha', '1.2.3_beta', -1],
  ['1.2.3_beta', '1.2.3_pre', -1],
  ['1.2.3_pre', '1.2.3_rc', -1],
  ['1.2.3_cvs', '1.2.3_svn', -1],
  ['1.2.3_git', '1.2.3_hg', -1],
  ['1.2.3_hg', '1.2.3_p', -1],
  ['1.2.3-r0', '1.2.3-r10', -1],
  ['1.2.3', '1.2.3-r0', -1],
  ['1.2.3-r9', '1.2.3.1', -1],
  ['1.2a', '1.2', 1],
  ['1.2a', '1.2b', -1],
  ['1.2a', '1.2.1', -1],
  ['1.2.3_p1', '1.2.3-r1', 1],
  ['1.2.3_rc1', '1.2.3-r1', -1],
  ['0.1.0_alpha_pre2', '0.1.0_alpha', -1],
  ['1.0_p10-r0', '1.0_p9-r0', 1],
  ['1.0.0_pre20191002222144-r0', '1.0.0_pre20210530193627-r0', -1],
  ['1.01', '1.1', -1], // a leading zero compares as text
  ['1.001', '1.01', -1],
  ['006', '1.0.0', 1],
  ['1.2.3~abc1', '1.2.3~abc2', -1],
  ['3.0.12-r1', '3.0.12-r4', -1],
  ['8.5.0-r0', '8.11.1-r0', -1],
  ['2.39.0_rc1-r0', '2.39.0-r0', -1],
];

test('apk orders versions as apk-tools does', () => {
  assertTable(apkScheme, TABLE);
});

test('apk refuses what apk-tools refuses', () => {
  assertInvalid(apkScheme, [
    '',
    'a1',
    '1.0bc',
    '1.2a3',
    '1.0_foo',
    '1.0-1',
    '1.0-r',
    '1.0-r1-r2',
    '1.0.',
    '1.0A',
    '1.0~',
    '1.0~xyz',
    '1.0-r1_p1',
    'v1.0',
  ]);
});
