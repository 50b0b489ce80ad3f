import { messageOf } from '../../core/errors.js';
import { auditctlOk, auditctlSync, type AuditStatus } from './control.js';
import {
  type AuditRule,
  bulwarkRules,
  type InstallResult,
  installRules,
  removeRules,
  removeRulesSync,
} from './rules.js';

// What the audit source changes in the kernel — audit enabled, the backlog, the rate limit, its
// keyed rules — each change recorded with its undo, so that stop (or the process exiting)
// puts back exactly what was there before, and nothing else.

export interface UndoStep {
  name: string;
  run(): Promise<void>;
  /** The same, synchronously: for process exit, when no promise will be awaited. */
  sync(): void;
}

/** Changes to take back, newest first. */
export class UndoStack {
  private readonly steps: UndoStep[] = [];

  push(step: UndoStep): void {
    this.steps.push(step);
  }

  /** Runs every step (newest first), going on past failures; the failures, one line. */
  async runAll(): Promise<string | undefined> {
    const errors: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (e) {
        errors.push(`${step.name}: ${messageOf(e)}`);
      }
    }
    return errors.length > 0 ? errors.join('; ') : undefined;
  }

  /** Best effort at exit: every step's synchronous form, newest first. */
  runSync(): void {
    for (const step of [...this.steps].reverse()) {
      try {
        step.sync();
      } catch {
        // best effort at exit
      }
    }
  }
}

export interface KernelSettings {
  /** Kernel backlog to ensure, raised only. */
  backlogLimit: number;
  rateLimit?: number;
  /** Rules to install; false installs none. */
  rules?: readonly AuditRule[] | false;
}

/** The keys of the rules the source installs (the only ones it removes). */
function ruleKeys(rules: readonly AuditRule[] | false | undefined): string[] {
  return rules === false ? [] : [...new Set((rules ?? bulwarkRules()).map((r) => r.key))];
}

/** If audit is off, our auditd turns it on (-s enable): it is turned off again after. */
export function undoEnable(before: AuditStatus, ctl: string, undo: UndoStack): void {
  if (before.enabled !== 0) return;
  undo.push({
    name: 'enabled',
    run: async () => void (await auditctlOk(['-e', '0'], ctl)),
    sync: () => void auditctlSync(['-e', '0'], ctl),
  });
}

/** Sets one numeric kernel setting (auditctl -b, -r) and records how to put the old value back. */
async function setNumber(
  flag: '-b' | '-r',
  name: string,
  value: number,
  old: number,
  ctl: string,
  undo: UndoStack,
): Promise<void> {
  await auditctlOk([flag, String(value)], ctl);
  undo.push({
    name,
    run: async () => void (await auditctlOk([flag, String(old)], ctl)),
    sync: () => void auditctlSync([flag, String(old)], ctl),
  });
}

/** Raises the backlog, sets the rate limit and installs the rules (each undone at stop). Not for a locked configuration. */
export async function applyKernelSettings(
  before: AuditStatus,
  settings: KernelSettings,
  ctl: string,
  undo: UndoStack,
): Promise<InstallResult | undefined> {
  if (before.backlogLimit < settings.backlogLimit)
    await setNumber('-b', 'backlog', settings.backlogLimit, before.backlogLimit, ctl, undo);
  if (settings.rateLimit !== undefined && settings.rateLimit !== before.rateLimit)
    await setNumber('-r', 'rate', settings.rateLimit, before.rateLimit, ctl, undo);
  if (settings.rules === false) return undefined;
  const keys = ruleKeys(settings.rules);
  undo.push({ name: 'rules', run: () => removeRules(keys, ctl), sync: () => removeRulesSync(keys, ctl) });
  return installRules(settings.rules ?? bulwarkRules(), ctl);
}
