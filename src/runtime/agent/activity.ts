import type { EventAction } from '../../events/event.js';
import { processOf, type AuditActivity, type ExecEvent } from '../audit/interpret.js';
import { KEYS } from '../audit/rules.js';
import type { ContainerInfo } from '../containers.js';
import { containerPath } from '../detectors/drift.js';
import type { ExecAnswer, ExecEvent as HeldExec } from '../fanotify/index.js';
import { commOf } from '../proc.js';
import type { Fields } from '../rules/condition.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { BuiltinDetections } from './builtins.js';
import type { Emitter, EventDetail } from './emitter.js';
import type { Enforcer, Proc } from './enforce.js';
import type { ExecJudge } from './exec-judge.js';
import type { ExecSessions } from './exec-sessions.js';
import { connectFields, execFields, heldExecFields, openFields, setuidFields, withParentName } from './fields.js';
import type { Judged, PidTable } from './pids.js';

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
  constructor(private readonly parts: ActivityParts) {}

  /**
   * fanotify's question: may this exec go ahead? The process waits for our answer, so it
   * lives: its cgroup says whose it is (a host process running a file from a container's root
   * is no container's business).
   */
  async decideHeldExec(held: HeldExec): Promise<ExecAnswer> {
    const { pids, judge } = this.parts;
    const who = await pids.identify(held.pid);
    const c = who.container;
    if (!c) return true;
    const exe = containerPath(c, held.path);
    if (!exe) return true;
    const judgement = await judge.judge(c, exe);
    // the audit record of this exec comes later: it reuses the judgement
    pids.remember(held.pid, who.start, c, { exe, judgement });
    // nothing to say about a clean file: fanotify allows it again unasked while it stays the same
    if (!judgement.block) return judge.noteHeld(held.dev, held.ino, exe, judgement) ? 'cache' : true;
    judge.noteHeld(held.dev, held.ino, exe, judgement);
    const detail = { process: { pid: held.pid, exe }, file: { path: exe, operation: 'exec' as const } };
    for (const match of this.parts.rules.match(heldExecFields(c, exe, held.pid, judgement.drift))) this.parts.emitter.fromMatch(match, c, detail, 'denied');
    if (judgement.profileViolation && !judgement.drift) this.parts.builtins.profileViolation(c, held.pid, exe, judgement.reason ?? '', judge.modeOf(c), 'denied');
    return false;
  }

  /** One audit activity, after the ones before it (an exec's record says whose a pid is). */
  async onActivity(a: AuditActivity): Promise<void> {
    const who = await this.parts.pids.identify(a.pid, a.kind === 'exec' ? a.dev : undefined);
    this.parts.sessions.noteActivity(a, who);
    const c = who.container;
    if (!c) return;
    const proc: Proc = { pid: a.pid, ...(who.start !== undefined ? { start: who.start } : {}) };
    const time = a.time.toISOString(); // the kernel's time: latency is measured from it
    const detail: EventDetail = { time, process: processOf(a) };
    if (a.kind === 'exec' && a.success && a.exe) {
      await this.onExec(a as ExecEvent & { exe: string }, c, proc, who.judged, detail);
    } else if (a.kind === 'open' && a.key === KEYS.sensitive) {
      const path = containerPath(c, a.path) ?? a.path;
      await this.matchAndAct(withParentName(openFields(a, c, path), a.ppid, commOf), c, proc, { ...detail, file: { path, operation: a.write ? 'write' : 'read' } });
    } else if (a.kind === 'connect' && (a.family === 'inet' || a.family === 'inet6')) {
      const fields = withParentName(connectFields(a, c), a.ppid, commOf);
      await this.matchAndAct(fields, c, proc, { ...detail, fields: { address: a.address, ...(a.port !== undefined ? { port: a.port } : {}) } });
    } else if (a.kind === 'setuid' && a.exe !== '/' && !a.comm?.startsWith('runc')) {
      // (the runtime itself sets the user of every process it starts in a container: not a change)
      await this.matchAndAct(withParentName(setuidFields(a, c), a.ppid, commOf), c, proc, { ...detail, fields: { cause: a.cause } });
    }
  }

  private async matchAndAct(fields: Fields, c: ContainerInfo, proc: Proc, detail: EventDetail): Promise<void> {
    for (const match of this.parts.rules.match(fields)) this.parts.emitter.fromMatch(match, c, detail, await this.parts.enforcer.act(match.rule, c, proc));
  }

  /** A program that ran in a container: judged (or fanotify's judgement reused), learned, killed in Protect. */
  private async onExec(a: ExecEvent & { exe: string }, c: ContainerInfo, proc: Proc, held: Judged | undefined, detail: EventDetail): Promise<void> {
    const { judge, enforcer, pids } = this.parts;
    const exe = a.exe;
    // (an exec fanotify refused fails, and its record says so: only programs that ran get here)
    const judgement = await judge.judgeRecord(c, exe, a, held);
    pids.remember(a.pid, proc.start, c);
    // run by another name (a busybox applet, an alternatives link): the profile holds the
    // name too. fanotify sees only the file, so an unlisted name of a listed file is killed
    // right after its exec.
    const byName = a.path && a.path !== exe && !judgement.drift ? judge.observeName(c, a.path) : undefined;
    const fields = withParentName(execFields(a, c, judgement.drift), a.ppid, commOf);
    // fanotify did not stop it (not available, raced, or only the name is unlisted): kill right
    // after exec, once, with whatever it started meanwhile
    const blockNow = judgement.block || (byName?.block ?? false);
    let killed: Promise<EventAction> | undefined;
    const killOnce = (): Promise<EventAction> => (killed ??= enforcer.kill(c, proc));
    for (const match of this.parts.rules.match(fields)) {
      const action = blockNow || match.rule.action === 'kill' ? await killOnce() : await enforcer.act(match.rule, c, proc);
      this.parts.emitter.fromMatch(match, c, { ...detail, file: { path: exe, operation: 'exec' } }, action);
    }
    if ((judgement.profileViolation || byName?.violation) && !judgement.drift) {
      const action: EventAction = blockNow ? await killOnce() : 'alert';
      const mode = judge.modeOf(c);
      if (judgement.profileViolation) this.parts.builtins.profileViolation(c, a.pid, exe, judgement.reason ?? '', mode, action);
      else this.parts.builtins.profileViolation(c, a.pid, a.path!, `${byName?.reason ?? ''} (it is ${exe})`, mode, action);
    }
  }
}
