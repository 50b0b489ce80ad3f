import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { withAgent } from '../support/agent-run.js';
import { have, requireSetUp } from '../support/require.js';
import { canSoak, cleanSoak, prepareSoak, startSoak } from '../support/soak.js';
import { waitUntil } from '../support/wait.js';

// Acceptance 5 of issue 14, the noise budget: real images doing normal work (test/support/soak.ts)
// under the agent with its default rules for a minute raise no event at all. The long run is
// bench/soak.ts.
// bulwark-test: exclusive (agent: kernel audit state)

const PREFIX = 'bulwark-test-forkguard-soak';
const SECONDS = 60;
let tmp: TempDir;
let ready = false;

before(async () => {
  if (!(await canSoak()) || !have('auditctl')) return;
  await cleanSoak(PREFIX);
  await prepareSoak(PREFIX);
  tmp = await makeTempDir();
  ready = true;
});

after(async () => {
  if (!ready) return;
  await cleanSoak(PREFIX);
  await tmp.remove();
});

/** "rule: message" lines for a failure message, one per distinct rule and program. */
function describe(events: SecurityEvent[], what: Map<string, string>): string {
  const seen = new Map<string, number>();
  for (const e of events) {
    const key = `${e.rule} [${what.get(e.container?.id ?? '') ?? e.container?.name}] ${e.message}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].map(([k, n]) => `${n}× ${k}`).join('\n');
}

test(`benign soak: ${SECONDS} s of normal work under the default rules raises no event`, async (t) => {
  if (
    !requireSetUp(
      t,
      {
        'Docker Engine, busybox-static, debootstrap': await canSoak(),
        'auditctl (Debian auditd)': have('auditctl'),
      },
      ready,
    )
  )
    return;
  await withAgent(join(tmp.path, 'agent'), {}, async (events) => {
    const soak = await startSoak(PREFIX);
    try {
      // the workloads really work: the web servers answer (a minute's worth, as they run)
      const until = Date.now() + SECONDS * 1000;
      await waitUntil('the soak run', () => Date.now() >= until, { timeoutMs: (SECONDS + 5) * 1000, intervalMs: 1000 });
      const answered = await soak.answered();
      assert.ok(answered >= SECONDS, `the web servers answered ${answered} requests`);
      const ours = events.filter((e) => e.container && soak.containers.has(e.container.id));
      const others = events.length - ours.length;
      if (others) t.diagnostic(`${others} events about other containers (other tests), not counted`);
      assert.equal(ours.length, 0, `events on benign work:\n${describe(ours, soak.containers)}`);
    } finally {
      await soak.stop();
    }
  });
});
