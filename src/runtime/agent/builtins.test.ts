import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import type { SecurityEvent } from '../../events/event.js';
import type { Sink } from '../../events/sinks/index.js';
import type { ContainerInfo } from '../containers.js';
import { DEFAULT_RULES_YAML } from '../rules/default-rules.js';
import { RuleSet } from '../rules/ruleset.js';
import { BuiltinDetections } from './builtins.js';
import { Emitter } from './emitter.js';

const WEB: ContainerInfo = {
  id: 'c0ffee'.padEnd(64, '0'),
  name: 'web',
  image: 'nginx:1.27',
  imageId: 'sha256:abc',
  pid: 42,
  running: true,
  labels: {},
};

function detectionsWith(rules: RuleSet): { builtins: BuiltinDetections; events: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  const sink: Sink = {
    name: 'test',
    emit: (e) => events.push(e),
    stats: () => {
      throw new Error('not used');
    },
    close: async () => undefined,
  };
  return { builtins: new BuiltinDetections(rules, new Emitter(sink, 'host-1')), events };
}

const withUserRules = (text: string): RuleSet =>
  RuleSet.fromTexts([
    { text: DEFAULT_RULES_YAML, input: 'default rules' },
    { text, input: 'user.yaml' },
  ]);

test('built-in detections are rules: the messages, severities and threat mapping the agent always sent', () => {
  const { builtins, events } = detectionsWith(RuleSet.load([]));
  builtins.profileViolation(WEB, 7, '/usr/bin/curl', 'not in the profile', 'monitor', 'alert');
  builtins.forkBomb({
    phase: 'start',
    container: WEB,
    reason: '612 processes and no pids limit',
    processes: 612,
    rate: 300,
    contain: true,
  });
  builtins.forkBomb({
    phase: 'end',
    container: WEB,
    reason: '612 processes and no pids limit',
    durationMs: 2340,
    peak: 640,
    killed: 600,
    program: 'sh',
    cappedAt: 612,
    left: 2,
  });
  builtins.forkBomb({
    phase: 'end',
    container: WEB,
    reason: '250 new processes per second (300 now)',
    durationMs: 1000,
    peak: 300,
    killed: 0,
    left: 4,
    error: 'update: HTTP 500',
  });
  builtins.resourceThreshold({ container: WEB, resource: 'pids', value: 120, threshold: 100 });
  builtins.profileLearned('image:sha256:abc', 'protect', 3);
  // written out by hand from the strings agent.ts built before the detections became rules
  assert.deepEqual(
    events.map((e) => [e.rule, e.severity, e.stride, e.attack, e.action, e.message]),
    [
      [
        'Unlisted executable',
        'HIGH',
        'ElevationOfPrivilege',
        'T1204',
        'alert',
        '/usr/bin/curl ran in web (nginx:1.27): not in the profile',
      ],
      [
        'Fork bomb',
        'CRITICAL',
        'DenialOfService',
        'T1499.001',
        'limited',
        'fork bomb in web (nginx:1.27) started (612 processes and no pids limit): 612 processes, 300 new per second, no pids limit; capping the pids limit and killing the copies',
      ],
      [
        'Fork bomb',
        'CRITICAL',
        'DenialOfService',
        'T1499.001',
        'killed',
        'fork bomb in web (nginx:1.27) over after 2.3 s (peak 640 processes): 600 sh processes killed, pids limit set to 612, 2 processes left',
      ],
      [
        'Fork bomb',
        'CRITICAL',
        'DenialOfService',
        'T1499.001',
        'alert',
        'fork bomb in web (nginx:1.27) over after 1.0 s (peak 300 processes): no program stood out to kill, 4 processes left; containment failed: update: HTTP 500',
      ],
      [
        'Resource threshold',
        'MEDIUM',
        'DenialOfService',
        'T1496',
        'alert',
        'web (nginx:1.27) uses 120 processes (threshold 100)',
      ],
      [
        'Profile learned',
        'LOW',
        'Repudiation',
        'T1204',
        'alert',
        'learning ended for image:sha256:abc: 3 programs allowed, now in protect mode',
      ],
    ],
  );
  assert.deepEqual(events[0]!.process, { pid: 7, exe: '/usr/bin/curl' });
  assert.deepEqual(events[0]!.fields, { mode: 'monitor' });
  assert.deepEqual(events[1]!.fields, { phase: 'start', processes: 612, rate: 300 });
  assert.deepEqual(events[2]!.fields, {
    phase: 'end',
    processes: 2,
    peak: 640,
    killed: 600,
    program: 'sh',
    pids_limit: 612,
  });
  assert.equal(events[1]!.container?.imageDigest, 'sha256:abc');
  assert.deepEqual(events[4]!.fields, { resource: 'pids', value: 120, threshold: 100 });
  assert.equal(events[5]!.container, undefined);
  assert.equal(events[4]!.host, 'host-1');
});

test('a user rule file turns a built-in detection off by name: it stays silent, the others still speak', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'quiet.yaml');
    writeFileSync(file, '- rule: Resource threshold\n  enabled: false\n');
    const { builtins, events } = detectionsWith(RuleSet.load([file]));
    builtins.resourceThreshold({ container: WEB, resource: 'memory', value: 900 << 20, threshold: 512 << 20 });
    assert.equal(events.length, 0);
    builtins.profileLearned('image:sha256:abc', 'monitor', 1);
    assert.deepEqual(
      events.map((e) => e.rule),
      ['Profile learned'],
    );
  } finally {
    await tmp.remove();
  }
});

test('a user rule file tunes a built-in detection: severity, output and condition (an allow-list of programs)', () => {
  const rules = withUserRules(
    [
      '- list: known_tools',
      '  items: [/usr/bin/curl]',
      '- rule: Unlisted executable',
      '  severity: CRITICAL',
      '  output: "unlisted %proc.name in %container.name (%profile.mode): %profile.reason"',
      '- rule: Unlisted executable',
      '  append: true',
      '  condition: and not proc.exe in (known_tools)',
    ].join('\n'),
  );
  const { builtins, events } = detectionsWith(rules);
  builtins.profileViolation(WEB, 7, '/usr/bin/curl', 'not in the profile', 'protect', 'denied');
  builtins.profileViolation(WEB, 8, '/usr/bin/wget', 'not in the profile', 'protect', 'denied');
  assert.deepEqual(
    events.map((e) => [e.rule, e.severity, e.action, e.message]),
    [['Unlisted executable', 'CRITICAL', 'denied', 'unlisted wget in web (protect): not in the profile']],
  );
});
