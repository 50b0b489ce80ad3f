import { messageOf } from '../../core/errors.js';
import { pauseContainer, stopContainer } from '../../engine/containers.js';
import type { EventAction } from '../../events/event.js';
import type { ContainerInfo } from '../containers.js';
import { killInContainer } from '../kill.js';
import type { Rule } from '../rules/ruleset.js';

// Enforcement after the fact: a process killed (with what it started, inside its container
// only), or the whole container frozen (pause) or stopped, as a rule's action says. Refusing
// before exec is fanotify's answer (see activity.ts). A failure is reported and the event
// says "alert": nothing was done.

/** A process as judged: its pid and, when known, its start time (the two name it for good). */
export interface Proc {
  pid: number;
  start?: number;
}

export class Enforcer {
  constructor(private readonly onError: (e: Error) => void) {}

  /** Kills the process (the one that started at `start`) with its descendants. */
  async kill(container: ContainerInfo, p: Proc): Promise<EventAction> {
    try {
      return (await killInContainer(container.id, p.pid, p.start)).length > 0 ? 'killed' : 'alert';
    } catch (e) {
      this.onError(new Error(`kill ${p.pid} in ${container.name}: ${messageOf(e)}`));
      return 'alert';
    }
  }

  /** Does what the rule's action says; what was done. */
  async act(rule: Pick<Rule, 'name' | 'action'>, container: ContainerInfo, p: Proc): Promise<EventAction> {
    try {
      if (rule.action === 'kill') return await this.kill(container, p);
      if (rule.action === 'pause') {
        await pauseContainer(container.id);
        return 'paused';
      }
      if (rule.action === 'stop') {
        await stopContainer(container.id);
        return 'stopped';
      }
    } catch (e) {
      this.onError(new Error(`${rule.name}: ${rule.action} failed: ${messageOf(e)}`));
    }
    return 'alert';
  }
}
