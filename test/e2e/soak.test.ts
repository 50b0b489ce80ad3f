import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { agentFixture, withAgent } from '../support/agent-run.js';
import { have } from '../support/require.js';
import { cleanSoak, prepareSoak, startSoak } from '../support/soak.js';
import { waitUntil } from '../support/wait.js';

// The noise budget (issue 14, item 6; acceptance 5), short: the benign workloads of
// test/support/soak.ts — a Python web server and its client, busybox httpd in a package-less
// image, a Python worker, a shell entrypoint looping over its log, a cron-like job — under the
// agent with its default rules for a minute: they must do their work (requests answered) and
// raise no event at all. bench/soak.ts is the long run.
// bulwark-test: exclusive (agent: kernel audit state)

const PREFIX = `bulwark-test-soak-${process.pid}`;
const SECONDS = 60;
const NEEDS = { 'debootstrap (the Debian rootfs fixture)': have('debootstrap') };

const fixture = agentFixture(NEEDS, [], () => prepareSoak(PREFIX));
after(() => cleanSoak(PREFIX).catch(() => undefined)); // nothing to clean when setup did not run

test(`benign workloads doing normal work for ${SECONDS} s raise no event under the default rules`, async (t) => {
  if (!(await fixture.gate(t))) return;
  await withAgent(fixture.dir(), {}, async (events) => {
    const soak = await startSoak(PREFIX);
    try {
      const until = Date.now() + SECONDS * 1000;
      await waitUntil('the soak to run its course', () => Date.now() >= until, {
        timeoutMs: (SECONDS + 5) * 1000,
        intervalMs: 1000,
      });
      const answered = await soak.answered();
      assert.ok(answered >= SECONDS, `the web servers answered ${answered} requests: the workloads did not work`);
      const noisy = events.filter((e) => e.container?.id !== undefined && soak.containers.has(e.container.id));
      assert.deepEqual(
        noisy.map((e) => `${e.rule} in ${soak.containers.get(e.container!.id)}: ${e.message}`),
        [],
      );
    } finally {
      await soak.stop();
    }
  });
});
