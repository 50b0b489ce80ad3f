import type { EventAction } from '../../events/event.js';
import type { ContainerInfo } from '../containers.js';
import type { ForkGuardEvent } from '../detectors/fork-guard.js';
import type { ResourceEvent } from '../detectors/resources.js';
import type { Fields } from '../rules/condition.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Emitter, EventDetail } from './emitter.js';
import {
  fileViolationFields,
  forkBombFields,
  profileLearnedFields,
  profileViolationFields,
  resourceFields,
} from './fields.js';

// The agent's own detectors (profiles, fork guard, resource monitor, learning) report through
// the rule set like any audit event: their built-in rules (rules/default-rules.ts) say the
// severity and message, and a user's rule file can retune or disable them by name.

export class BuiltinDetections {
  constructor(
    private readonly rules: RuleSet,
    private readonly emitter: Emitter,
  ) {}

  private report(fields: Fields, container: ContainerInfo | undefined, detail: EventDetail, action: EventAction): void {
    for (const match of this.rules.match(fields)) this.emitter.fromMatch(match, container, detail, action);
  }

  /** `exe`: the name the program ran by; `action`: what enforcement did (denied, killed, alert). */
  profileViolation(
    container: ContainerInfo,
    pid: number,
    exe: string,
    reason: string,
    mode: string,
    action: EventAction,
  ): void {
    this.report(
      profileViolationFields(container, pid, exe, reason, mode),
      container,
      { process: { pid, exe }, file: { path: exe, operation: 'exec' }, fields: { mode } },
      action,
    );
  }

  /** An open of a protected file outside the workload's file profile (refused in protect mode). */
  fileViolation(
    container: ContainerInfo,
    open: { tid: number; exe: string; file: string; access: 'read' | 'write' },
    reason: string,
    mode: string,
    action: EventAction,
  ): void {
    this.report(
      fileViolationFields(container, open.tid, open.exe, open.file, open.access, reason, mode),
      container,
      {
        process: { pid: open.tid, exe: open.exe },
        file: { path: open.file, operation: open.access },
        fields: { mode },
      },
      action,
    );
  }

  /** One event when a bomb starts, one when it is over (fork-guard.ts). */
  forkBomb(f: ForkGuardEvent): void {
    const fields = forkBombFields(f);
    // the event's fields: the rule fields' counts, without the prefix (fork.killed → killed)
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(fields))
      if (k.startsWith('fork.') && k !== 'fork.summary' && k !== 'fork.reason' && !Array.isArray(v) && v !== undefined)
        detail[k.slice(5)] = v as string | number | boolean;
    const action = f.phase === 'start' ? (f.contain ? 'limited' : 'alert') : f.killed > 0 ? 'killed' : 'alert';
    this.report(fields, f.container, { fields: detail }, action);
  }

  resourceThreshold(r: ResourceEvent): void {
    this.report(
      resourceFields(r),
      r.container,
      { fields: { resource: r.resource, value: r.value, threshold: r.threshold } },
      'alert',
    );
  }

  profileLearned(profile: string, mode: string, programs: number): void {
    this.report(
      profileLearnedFields(profile, mode, programs),
      undefined,
      { fields: { profile, mode, programs } },
      'alert',
    );
  }
}
