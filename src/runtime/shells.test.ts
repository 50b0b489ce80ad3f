import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleSet } from './rules/ruleset.js';
import { isShell, SHELL_NAMES } from './shells.js';

test("shells: the agent's own shells are the default rules' shell_binaries", () => {
  const list = RuleSet.load().list('shell_binaries');
  assert.deepEqual([...(list ?? [])].sort(), [...SHELL_NAMES].sort());
});

test('shells: by program file or name', () => {
  assert.equal(isShell('/bin/bash'), true);
  assert.equal(isShell('/usr/bin/busybox'), true);
  assert.equal(isShell('dash'), true);
  assert.equal(isShell('/usr/bin/bashful'), false);
  assert.equal(isShell('/opt/sh/python3'), false);
});
