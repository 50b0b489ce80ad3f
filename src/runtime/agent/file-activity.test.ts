import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileEvent, interpretEvent, type OpenEvent } from '../audit/interpret.js';
import { AuditEventAssembler, type AuditEvent } from '../audit/records.js';
import type { ContainerInfo } from '../containers.js';
import { RuleSet } from '../rules/ruleset.js';
import { fileActivity } from './file-activity.js';

// Real records (audit/fixtures/capture-files.ts: the file rules on a scratch root on this
// machine's kernel) → activities → fields → the default rules: each action names its one rule.

const text = readFileSync(join(import.meta.dirname, '..', 'audit', 'fixtures', 'files-raw.log'), 'utf8');
const root = /\/tmp\/bulwark-root-[A-Za-z0-9]+/.exec(text)![0];
const C: ContainerInfo = {
  id: 'f11e'.padEnd(64, '0'),
  name: 'files',
  image: 'busybox:files',
  imageId: 'sha256:abc',
  pid: 0,
  running: true,
  mergedDir: root,
  labels: {},
};

function activities(lines = text): (FileEvent | OpenEvent)[] {
  const events: AuditEvent[] = [];
  const asm = new AuditEventAssembler({ onEvent: (e) => events.push(e) });
  for (const l of lines.split('\n')) if (l) asm.pushLine(l);
  asm.flushAll();
  return events
    .flatMap(interpretEvent)
    .filter((a): a is FileEvent | OpenEvent => (a.kind === 'file' || a.kind === 'open') && a.key === 'bulwark-files');
}

test('file records: paths as the container names them, link targets, chmod modes, truncation', () => {
  const acts = activities();
  const sym = acts.find((a) => a.kind === 'file' && a.syscall.startsWith('symlink')) as FileEvent;
  assert.equal(sym.path, `${root}/link1`);
  assert.equal(sym.target, '/etc/shadow');
  const hard = acts.find((a) => a.kind === 'file' && a.syscall === 'linkat') as FileEvent;
  assert.deepEqual([hard.path, hard.target], [`${root}/hard1`, `${root}/tmp.sh`]);
  const chmod = acts.find((a) => a.kind === 'file' && a.operation === 'chmod') as FileEvent;
  assert.equal(chmod.mode, 0o4755);
  const log = acts.find((a) => a.path === `${root}/var/log/messages`) as OpenEvent;
  assert.deepEqual([log.truncate, log.created, log.write], [true, false, true]);
  const created = acts.find((a) => a.path === `${root}/etc/passwd`) as OpenEvent;
  assert.equal(created.created, true);
});

test('file records → default rules: each action fires its one rule, the rest nothing', () => {
  const rules = RuleSet.load();
  const fired = new Map<string, string[]>();
  for (const a of activities()) {
    const f = fileActivity(a, C, {});
    if (!f) continue;
    const names = rules.match(f.fields).map((m) => m.rule.name);
    const key = `${a.comm} ${f.detail.file?.path}`;
    fired.set(key, [...(fired.get(key) ?? []), ...names]);
  }
  const expect: [string, string[]][] = [
    ['sh /etc/passwd', ['Write below etc']],
    ['sh /etc/cron.d/job', ['Cron or init persistence']],
    ['cp /bin/evil', ['Write below binary dir']],
    ['mkdir /usr/bin/sub', ['Mkdir below binary dir']],
    ['sh /root/.ssh/authorized_keys', ['Sensitive file written']],
    ['rm /root/.ash_history', ['Shell history deleted']],
    ['sh /var/log/messages', ['Log cleared']],
    // 4755, then +x keeps the set-uid bit: the mode asked for has it again
    ['chmod /tmp.sh', ['Set-id bit set', 'Set-id bit set']],
    ['ln /link1', ['Symlink to sensitive file']],
    ['ln /hard1', []],
    ['cat /proc/1/environ', ['Process environment read']],
    ['head /proc/self/environ', []],
    ['cat /proc/sys/kernel/core_pattern', []],
    ['cat /proc/sys/vm/swappiness', []],
    ['sh /proc/sys/vm/swappiness', ['Kernel parameter changed']],
    ['cp /proc/filesystems', []],
  ];
  for (const [key, names] of expect) assert.deepEqual(fired.get(key), names, key);
  // nothing else fired
  const others = [...fired].filter(([k, v]) => v.length > 0 && !expect.some(([e]) => e === k));
  assert.deepEqual(others, []);
});

test('in a container (overlayfs): copy-up items do not make a truncated log "created" nor a mkdir another path', () => {
  // the container's own records, from its auditd log (capture: test/e2e/rules-files.test.ts's actions)
  const overlay = readFileSync(join(import.meta.dirname, '..', 'audit', 'fixtures', 'files-overlay-raw.log'), 'utf8');
  const acts = activities(overlay);
  const log = acts.find((a) => a.kind === 'open') as OpenEvent;
  assert.deepEqual([log.path, log.truncate, log.created], ['/var/log/messages', true, false]);
  const mkdir = acts.find((a) => a.kind === 'file') as FileEvent;
  assert.deepEqual([mkdir.path, mkdir.operation], ['/bin/sub', 'create']);
});
