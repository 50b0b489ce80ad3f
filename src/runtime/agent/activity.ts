import { readlinkSync } from 'node:fs';
import type { EventAction } from '../../events/event.js';
import { processOf, type AuditActivity, type ExecEvent } from '../audit/interpret.js';
import { KEYS } from '../audit/rules.js';
import type { ContainerInfo } from '../containers.js';
import { containerPath } from '../detectors/drift.js';
import type { ExecAnswer, ExecEvent as HeldExec } from '../fanotify/index.js';
import { commOf, namespacePidOf, streamKindOf } from '../proc.js';
import type { Fields } from '../rules/condition.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { BuiltinDetections } from './builtins.js';
import type { Emitter, EventDetail } from './emitter.js';
import type { Enforcer, Proc } from './enforce.js';
import type { ExecJudge, Judgement } from './exec-judge.js';
import type { ExecSessions } from './exec-sessions.js';
import { DecodedPipes } from './decoded-pipes.js';
import { fileActivity } from './file-activity.js';
import { PreviousNames } from './previous-names.js';
import {
  connectFields,
  execFields,
  heldExecFields,
  openFields,
  setuidFields,
  withNamespacePid,
  withParentName,
  withStreams,
} from './fields.js';
import type { Judged, PidTable } from './pids.js';
import { syscallActivity } from './syscall-activity.js';
import { isShell } from '../shells.js';

// What the agent does with each thing the kernel tells: an exec fanotify holds (allow, cache
// or deny), and the audit records that follow (exec, sensitive open, connect, privilege
// change) turned into rule fields, matched, reported and, where a rule or the profile says,
// enforced.

export interface ActivityParts {
  rules: RuleSet;
  pids: PidTable;
  judge: ExecJudge;
  enforcer: Enforcer;
  emitter: Emitter;
  builtins: BuiltinDetections;
  sessions: ExecSessions;
}

export class ActivityHandler {
  private readonly pipes = new DecodedPipes();
  private readonly previous = new PreviousNames();

  constructor(private readonly parts: ActivityParts) {}

  /**
   * fanotify's question: may this exec go ahead? The process waits for our answer, so it
   * lives: its cgroup says whose it is (a host process running a file from a container's root
   * is no container's business).
   */
  async decideHeldExec(held: HeldExec): Promise<ExecAnswer> {
    const { pids, judge } = this.parts;
    const who = await pids.identify(held.pid);
    const container = who.container;
    if (!container) return true;
    const exe = containerPath(container, held.path);
    if (!exe) return true;
    const judgement = await judge.judge(container, exe, held.dev);
    // the audit record of this exec comes later: it reuses the judgement
    pids.remember(held.pid, who.start, container, { exe, judgement });
    // nothing to say about a clean file: fanotify allows it again unasked while it stays the same
    if (!judgement.block) return judge.noteHeld(held.dev, held.ino, exe, judgement) ? 'cache' : true;
    judge.noteHeld(held.dev, held.ino, exe, judgement);
    const detail = {
      process: { pid: held.pid, exe },
      file: { path: exe, operation: 'exec' as const },
      ...driftDetail(judgement),
    };
    const fields = heldExecFields(container, exe, held.pid, judgement.drift, judgement.driftReason);
    for (const match of this.parts.rules.match(fields))
      this.parts.emitter.fromMatch(match, container, detail, 'denied');
    if (judgement.profileViolation && !judgement.drift)
      this.parts.builtins.profileViolation(
        container,
        held.pid,
        exe,
        judgement.reason ?? '',
        judge.modeOf(container),
        'denied',
      );
    return false;
  }

  /** One audit activity, after the ones before it (an exec's record says whose a pid is). */
  async onActivity(activity: AuditActivity): Promise<void> {
    const who = await this.parts.pids.identify(
      activity.pid,
      activity.kind === 'exec' ? activity.dev : undefined,
      activity.key === KEYS.files ? activity.ppid : undefined,
    );
    this.parts.sessions.noteActivity(activity, who);
    const container = who.container;
    if (!container) return;
    const proc: Proc = { pid: activity.pid, ...(who.start !== undefined ? { start: who.start } : {}) };
    const time = activity.time.toISOString(); // the kernel's time: latency is measured from it
    const detail: EventDetail = { time, process: processOf(activity) };
    if (activity.kind === 'exec' && activity.success && activity.exe) {
      await this.onExec(activity as ExecEvent & { exe: string }, container, proc, who.judged, detail);
    } else if (activity.kind === 'open' && activity.key === KEYS.sensitive) {
      const path = containerPath(container, activity.path) ?? activity.path;
      await this.matchAndAct(
        withParentName(openFields(activity, container, path), activity.ppid, commOf),
        container,
        proc,
        { ...detail, file: { path, operation: activity.write ? 'write' : 'read' } },
      );
    } else if (activity.key === KEYS.files && (activity.kind === 'open' || activity.kind === 'file')) {
      const f = fileActivity(activity, container, detail);
      if (f) await this.matchAndAct(f.fields, container, proc, f.detail);
    } else if (activity.kind === 'connect' && (activity.family === 'inet' || activity.family === 'inet6')) {
      const fields = withParentName(connectFields(activity, container), activity.ppid, commOf);
      await this.matchAndAct(fields, container, proc, {
        ...detail,
        fields: { address: activity.address, ...(activity.port !== undefined ? { port: activity.port } : {}) },
      });
    } else if (activity.kind === 'syscall' || (activity.kind === 'connect' && activity.family === 'unix')) {
      const seen = syscallActivity(activity, container);
      if (seen)
        await this.matchAndAct(withParentName(seen.fields, activity.ppid, commOf), container, proc, {
          ...detail,
          fields: seen.evidence,
        });
    } else if (activity.kind === 'setuid' && activity.exe !== '/' && !activity.comm?.startsWith('runc')) {
      // (the runtime itself sets the user of every process it starts in a container: not a change)
      await this.matchAndAct(
        withParentName(setuidFields(activity, container), activity.ppid, commOf),
        container,
        proc,
        { ...detail, fields: { cause: activity.cause } },
      );
    }
  }

  private execRuleFields(
    activity: ExecEvent & { exe: string },
    container: ContainerInfo,
    start: number | undefined,
    judgement: Judgement,
  ): Fields {
    const own = execFields(activity, container, judgement.drift, judgement.driftReason);
    const name = own['proc.name'];
    const before = typeof name === 'string' ? this.previous.swap(activity.pid, start, name) : undefined;
    if (before !== undefined) own['proc.prev_name'] = before;
    own['proc.decoded_pipe'] =
      typeof name === 'string' &&
      this.pipes.observe(container.id, activity.ppid, name, activity.argv, activity.time.getTime());
    this.shellParent(own, activity, container);
    withStreams(own, activity.pid, streamKindOf);
    return withNamespacePid(
      withParentName(own, activity.ppid, commOf) as typeof own,
      activity.pid,
      container,
      namespacePidOf,
    );
  }

  /**
   * A shell's parent program (proc.pexe) and whether the workload's profile saw it start a
   * shell while learning (proc.shell_unlearned): read for shells only, whose parent lives on
   * while they run. A shell started by a shell (scripts) or from outside (docker exec) is neither.
   */
  private shellParent(own: Record<string, Fields[string]>, activity: ExecEvent, container: ContainerInfo): void {
    const name = own['proc.name'];
    if (typeof name !== 'string' || !(this.parts.rules.list('shell_binaries') ?? []).includes(name)) return;
    let parent: string | undefined;
    try {
      parent = containerPath(container, readlinkSync(`/proc/${activity.ppid}/exe`));
    } catch {
      return; // gone
    }
    if (!parent || isShell(parent)) return;
    own['proc.pexe'] = parent;
    own['proc.shell_unlearned'] = this.parts.judge.shellFromUnlearnedParent(container, parent);
  }

  private async matchAndAct(fields: Fields, container: ContainerInfo, proc: Proc, detail: EventDetail): Promise<void> {
    for (const match of this.parts.rules.match(fields))
      this.parts.emitter.fromMatch(
        match,
        container,
        detail,
        await this.parts.enforcer.act(match.rule, container, proc),
      );
  }

  /** A program that ran in a container: judged (or fanotify's judgement reused), learned, killed in Protect. */
  private async onExec(
    activity: ExecEvent & { exe: string },
    container: ContainerInfo,
    proc: Proc,
    held: Judged | undefined,
    detail: EventDetail,
  ): Promise<void> {
    const { judge, enforcer, pids } = this.parts;
    const exe = activity.exe;
    // (an exec fanotify refused fails, and its record says so: only programs that ran get here)
    const judgement = await judge.judgeRecord(container, exe, activity, held);
    pids.remember(activity.pid, proc.start, container);
    // run by another name (a busybox applet, an alternatives link): the profile holds the
    // name too. fanotify sees only the file, so an unlisted name of a listed file is killed
    // right after its exec.
    const byName =
      activity.path && activity.path !== exe && !judgement.drift
        ? judge.observeName(container, activity.path)
        : undefined;
    const fields = this.execRuleFields(activity, container, proc.start, judgement);
    // fanotify did not stop it (not available, raced, or only the name is unlisted): kill right
    // after exec, once, with whatever it started meanwhile
    const blockNow = judgement.block || (byName?.block ?? false);
    let killed: Promise<EventAction> | undefined;
    const killOnce = (): Promise<EventAction> => (killed ??= enforcer.kill(container, proc));
    for (const match of this.parts.rules.match(fields)) {
      const action =
        blockNow || match.rule.action === 'kill' ? await killOnce() : await enforcer.act(match.rule, container, proc);
      this.parts.emitter.fromMatch(
        match,
        container,
        { ...detail, file: { path: exe, operation: 'exec' }, ...driftDetail(judgement) },
        action,
      );
    }
    if ((judgement.profileViolation || byName?.violation) && !judgement.drift) {
      const action: EventAction = blockNow ? await killOnce() : 'alert';
      const mode = judge.modeOf(container);
      if (judgement.profileViolation)
        this.parts.builtins.profileViolation(container, activity.pid, exe, judgement.reason ?? '', mode, action);
      else
        this.parts.builtins.profileViolation(
          container,
          activity.pid,
          activity.path!,
          `${byName?.reason ?? ''} (it is ${exe})`,
          mode,
          action,
        );
    }
  }
}

/** A drifted program's event says where it lived (fields.reason: written, tmpfs, volume, memfd). */
function driftDetail(j: Judgement): EventDetail {
  return j.driftReason ? { fields: { reason: j.driftReason } } : {};
}
