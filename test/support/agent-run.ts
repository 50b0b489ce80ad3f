import { readFileSync } from 'node:fs';
import { after, before, type TestContext } from 'node:test';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { startAgent, type AgentOptions } from '../../src/runtime/agent.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { cgroupStats } from '../../src/runtime/cgroup.js';
import { haveBusybox } from './busybox.js';
import { engineUp, removeImage } from './engine.js';
import { have, requireSetUp } from './require.js';

// The agent as an e2e test runs it: events collected in memory (and a JSON lines sink in the
// state directory), errors printed when the test fails.

export async function withAgent(
  stateDir: string,
  opts: Partial<AgentOptions>,
  fn: (events: SecurityEvent[]) => Promise<void>,
): Promise<void> {
  const events: SecurityEvent[] = [];
  const errors: string[] = [];
  const agent = await startAgent({
    stateDir,
    sinks: [{ type: 'jsonl', path: join(stateDir, 'events.jsonl') }],
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e.message),
    ...opts,
  });
  try {
    await fn(events);
  } catch (e) {
    if (errors.length) console.log(`agent errors: ${errors.slice(0, 10).join(' | ')}`);
    throw e;
  } finally {
    await agent.stop();
  }
}

/** A process's command line as ps shows it ("" once gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The container's processes (host pids) with their command lines. */
export async function containerProcs(id: string): Promise<Map<number, string>> {
  return new Map((await cgroupStats(id)).procs.map((p) => [p, cmdline(p)]));
}

/** What every agent e2e test needs (dockerd, busybox, auditctl), and `more`: name → present. */
async function agentNeeds(more: Record<string, boolean> = {}): Promise<Record<string, boolean>> {
  return {
    'Docker Engine (dockerd)': await engineUp(),
    'busybox (Debian busybox-static)': haveBusybox(),
    'auditctl (Debian auditd)': have('auditctl'),
    ...more,
  };
}

/** For before(): everything the tests need is here. */
export async function agentReady(more: Record<string, boolean> = {}): Promise<boolean> {
  return Object.values(await agentNeeds(more)).every(Boolean);
}

/** For each test: requireSetUp on what agentNeeds lists (a failure under CI, a loud skip elsewhere). */
export async function agentGate(t: TestContext, setUp: boolean, more: Record<string, boolean> = {}): Promise<boolean> {
  return requireSetUp(t, await agentNeeds(more), setUp);
}

export interface AgentFixture {
  /** The temp dir of the file's tests (the agent's state directory goes there). */
  dir(): string;
  /** For each test, as agentGate. */
  gate(t: TestContext): Promise<boolean>;
}

/**
 * The before/after hooks of an agent e2e file: when everything is here, a temp dir and
 * `setUp(dir)` (which builds `images`); after, the images and the dir are removed.
 */
export function agentFixture(
  more: Record<string, boolean>,
  images: string[],
  setUp: (dir: string) => Promise<void>,
): AgentFixture {
  let tmp: TempDir | undefined;
  let ready = false;
  before(async () => {
    if (!(await agentReady(more))) return;
    tmp = await makeTempDir();
    await setUp(tmp.path);
    ready = true;
  });
  after(async () => {
    if (ready) for (const image of images) await removeImage(image);
    await tmp?.remove();
  });
  return { dir: () => tmp!.path, gate: (t) => agentGate(t, ready, more) };
}
