import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, type AgentOptions } from '../../src/runtime/agent.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { cgroupStats } from '../../src/runtime/cgroup.js';

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
