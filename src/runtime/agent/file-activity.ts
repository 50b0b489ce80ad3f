import { readFileSync } from 'node:fs';
import type { SecurityEvent } from '../../events/event.js';
import type { FileEvent, OpenEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import { containerPath } from '../detectors/drift.js';
import type { Fields } from '../rules/condition.js';
import { commOf } from '../proc.js';
import type { EventDetail } from './emitter.js';
import { fileFields, withParentName } from './fields.js';

// The file rules' events (audit key bulwark-files, audit/file-rules.ts): a change below a
// watched directory of a container, a set-id chmod, a link, an open on the container's procfs,
// a write to a release_agent file — as rule fields and the event's detail.

type FileOperationOut = NonNullable<SecurityEvent['file']>['operation'];

/** /proc/<pid>[/task/<tid>]/<file>: the pid part ("self" included). */
const PROC_PID_FILE = /^\/proc\/([^/]+)(?:\/task\/\d+)?\/[^/]+$/;

/** The process's pid in its own pid namespace (NSpid's last), undefined once it is gone. */
function nsPid(pid: number): number | undefined {
  try {
    const line = /^NSpid:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const last = line?.trim().split(/\s+/).pop();
    return last !== undefined ? Number(last) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fd.other_proc: the /proc/<pid>/… file is another process's (not self, thread-self or its own
 * pid as its namespace numbers it); looked up only when a rule reads it.
 */
function withOtherProc(fields: Record<string, Fields[string]>, path: string, pid: number): void {
  const m = PROC_PID_FILE.exec(path);
  if (!m) return;
  const who = m[1]!;
  let other: boolean | undefined;
  Object.defineProperty(fields, 'fd.other_proc', {
    enumerable: true,
    get: () =>
      (other ??= who !== 'self' && who !== 'thread-self' && (!/^\d+$/.test(who) || Number(who) !== nsPid(pid))),
  });
}

function operationOf(a: FileEvent | OpenEvent): FileOperationOut {
  if (a.kind === 'open') return a.write ? 'write' : 'read';
  return a.operation;
}

/** The fields and detail of a file-rule activity in `container`; undefined when it is the runtime's own. */
export function fileActivity(
  a: FileEvent | OpenEvent,
  container: ContainerInfo,
  detail: EventDetail,
): { fields: Fields; detail: EventDetail } | undefined {
  // (runc sets a container up before its watches exist; its late steps are not the workload's)
  if (a.comm?.startsWith('runc')) return undefined;
  const path = containerPath(container, a.path) ?? a.path;
  const target =
    a.kind === 'file' && a.target !== undefined ? (containerPath(container, a.target) ?? a.target) : undefined;
  const fields = fileFields(a, container, path, target);
  if (path.startsWith('/proc/')) withOtherProc(fields, path, a.pid);
  const extra: Record<string, string> = {};
  if (target !== undefined) extra.target = target;
  if (typeof fields['file.mode'] === 'string') extra.mode = fields['file.mode'];
  return {
    fields: withParentName(fields, a.ppid, commOf),
    detail: {
      ...detail,
      file: { path, operation: operationOf(a) },
      ...(Object.keys(extra).length ? { fields: extra } : {}),
    },
  };
}
