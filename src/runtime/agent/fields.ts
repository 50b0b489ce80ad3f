import { basename, posix } from 'node:path';
import type { AuditActivity, ConnectEvent, ExecEvent, FileEvent, OpenEvent, SetuidEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import type { ForkGuardEvent } from '../detectors/fork-guard.js';
import { describeResource, type ResourceEvent } from '../detectors/resources.js';
import type { Fields } from '../rules/condition.js';

// The fields rules read (see rules/default-rules.ts), built from what the agent saw. Pure:
// the one /proc look-up (the parent's name) is handed in and made only when a rule reads it.

export type MutableFields = Record<string, Fields[string]>;

function containerFields(container: ContainerInfo): Fields {
  return { 'container.id': container.id, 'container.name': container.name, 'container.image': container.image };
}

/** The fields plus proc.pname, looked up only if a rule reads it (most events match nothing). */
export function withParentName(
  fields: MutableFields,
  ppid: number,
  nameOf: (pid: number) => string | undefined,
): Fields {
  let parentName: string | undefined;
  Object.defineProperty(fields, 'proc.pname', { enumerable: true, get: () => (parentName ??= nameOf(ppid) ?? '') });
  return fields;
}

/**
 * The exec's pid inside its container (proc.vpid; 1: the container's first process, its
 * entrypoint), looked up only if a rule reads it; the container's known init pid answers
 * when the process is gone already.
 */
export function withNamespacePid(
  fields: MutableFields,
  pid: number,
  container: ContainerInfo,
  vpidOf: (pid: number) => number | undefined,
): Fields {
  let vpid: number | undefined;
  Object.defineProperty(fields, 'proc.vpid', {
    enumerable: true,
    get: () => (vpid ??= vpidOf(pid) ?? (container.pid === pid ? 1 : undefined)),
  });
  return fields;
}

/** proc.stdin and proc.stdout (network, socket, pipe, tty, null, file), looked up only if a rule reads them. */
export function withStreams(fields: MutableFields, pid: number, kindOf: (pid: number, fd: number) => string): Fields {
  for (const [name, fd] of [
    ['proc.stdin', 0],
    ['proc.stdout', 1],
  ] as const) {
    let kind: string | undefined;
    Object.defineProperty(fields, name, { enumerable: true, get: () => (kind ??= kindOf(pid, fd)) });
  }
  return fields;
}

/** What every audit activity in a container has: the process and its container. */
export function processFields(activity: AuditActivity, container: ContainerInfo): MutableFields {
  return {
    'proc.pid': activity.pid,
    'proc.ppid': activity.ppid,
    'proc.name': activity.comm ?? (activity.exe ? basename(activity.exe) : ''),
    'proc.exe': activity.exe ?? '',
    'user.uid': activity.uid,
    ...(activity.auid !== undefined ? { 'user.loginuid': activity.auid } : {}),
    ...containerFields(container),
  };
}

/** `driftReason`: where a drifted program lives (written, tmpfs, volume, memfd); "" when not drift. */
export function execFields(
  activity: ExecEvent,
  container: ContainerInfo,
  drift: boolean,
  driftReason = '',
): MutableFields {
  const own = processFields(activity, container);
  // busybox built to prefer its applets runs them through /proc/self/exe: every such process
  // is named "exe"; the name it was run by is its argv[0]
  if (activity.path?.startsWith('/proc/') && activity.path.endsWith('/exe') && activity.argv[0])
    own['proc.name'] = basename(activity.argv[0]);
  return {
    ...own,
    'evt.type': 'exec',
    'proc.args': activity.argv,
    'proc.cmdline': activity.argv.join(' '),
    'proc.drift': drift,
    'proc.drift_reason': driftReason,
    ...(activity.tty !== undefined ? { 'proc.tty': activity.tty } : {}),
  };
}

/** `path`: the file as the container names it. */
export function openFields(activity: OpenEvent, container: ContainerInfo, path: string): MutableFields {
  return {
    ...processFields(activity, container),
    'evt.type': 'open',
    'fd.name': path,
    'fd.directory': posix.dirname(path),
    'fd.write': activity.write ?? false,
  };
}

/** `/usr/lib/x/y.so` → [/usr/lib/x, /usr/lib, /usr, /]: "below a directory" is `fd.dirs in (…)`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let d = posix.dirname(path); ; d = posix.dirname(d)) {
    out.push(d);
    if (d === '/' || d === '.') return out;
  }
}

/**
 * A change below a watched directory (file rules): `path` and `target` as the container names
 * them. An open is evt.type open (with fd.create, fd.truncate), anything else evt.type file
 * with file.operation (unlink, rename, link, create, chmod, chown, truncate, xattr).
 */
export function fileFields(
  activity: FileEvent | OpenEvent,
  container: ContainerInfo,
  path: string,
  target?: string,
): MutableFields {
  const f: MutableFields = {
    ...processFields(activity, container),
    'evt.type': activity.kind,
    'evt.success': activity.success,
    'fd.name': path,
    'fd.filename': posix.basename(path),
    'fd.directory': posix.dirname(path),
    'fd.dirs': ancestors(path),
  };
  if (activity.kind === 'open') {
    f['file.operation'] = 'open';
    f['fd.write'] = activity.write ?? false;
    f['fd.create'] = activity.created ?? false;
    f['fd.truncate'] = activity.truncate ?? false;
  } else {
    f['file.operation'] = activity.operation;
    f['fd.write'] = true;
    if (activity.mode !== undefined) {
      f['file.mode'] = `0${activity.mode.toString(8)}`;
      f['file.setid'] = (activity.mode & 0o6000) !== 0;
    }
  }
  if (target !== undefined) {
    f['fd.target'] = target;
    f['fd.target_dirs'] = ancestors(target);
  }
  return f;
}

export function connectFields(activity: ConnectEvent, container: ContainerInfo): MutableFields {
  return {
    ...processFields(activity, container),
    'evt.type': 'connect',
    'net.address': activity.address,
    ...(activity.port !== undefined ? { 'net.port': activity.port } : {}),
    'evt.success': activity.success,
  };
}

/** priv.cause: syscall (setuid family), setuid-exec, setgid-exec, file-caps, capset; user.euid after it. */
export function setuidFields(activity: SetuidEvent, container: ContainerInfo): MutableFields {
  return {
    ...processFields(activity, container),
    'evt.type': 'setuid',
    'priv.cause': activity.cause,
    'user.euid': activity.euid,
  };
}

/** An exec fanotify holds: only the file and the process are known yet. */
export function heldExecFields(
  container: ContainerInfo,
  exe: string,
  pid: number,
  drift: boolean,
  driftReason = '',
): Fields {
  return {
    'evt.type': 'exec',
    'proc.exe': exe,
    'proc.name': basename(exe),
    'proc.pid': pid,
    'proc.drift': drift,
    'proc.drift_reason': driftReason,
    ...containerFields(container),
  };
}

/** A docker exec session: the command, and who asked for it when a host docker client was seen. */
export function containerExecFields(
  container: ContainerInfo,
  command: string,
  client: { uid?: number } | undefined,
  userName: string | undefined,
): Fields {
  return {
    'evt.type': 'container_exec',
    'proc.cmdline': command,
    'proc.args': command.split(' '),
    'user.name': userName ?? '<unknown>',
    ...(client?.uid !== undefined ? { 'user.uid': client.uid } : {}),
    ...containerFields(container),
  };
}

// --- the built-in detections' events (evt.type names the detector) ---------------------------

/** A program outside the workload's profile ran (or was refused). `exe`: the name it ran by. */
export function profileViolationFields(
  container: ContainerInfo,
  pid: number,
  exe: string,
  reason: string,
  mode: string,
): Fields {
  return {
    'evt.type': 'profile_violation',
    'proc.pid': pid,
    'proc.exe': exe,
    'proc.name': basename(exe),
    'profile.reason': reason,
    'profile.mode': mode,
    ...containerFields(container),
  };
}

/** A fork bomb episode in a sentence: what was seen when it started, what was done by its end. */
function forkSummary(f: ForkGuardEvent): string {
  if (f.phase === 'start') {
    const rate = f.rate !== undefined ? `, ${f.rate} new per second` : '';
    const limit = f.pidsLimit ? `pids limit ${f.pidsLimit}` : 'no pids limit';
    const doing = f.contain ? 'capping the pids limit and killing the copies' : 'containment off';
    return `started (${f.reason}): ${f.processes} processes${rate}, ${limit}; ${doing}`;
  }
  const seconds = (f.durationMs / 1000).toFixed(1);
  const what = f.program ? `${f.killed} ${f.program} processes killed` : 'no program stood out to kill';
  const cap = f.cappedAt !== undefined ? `, pids limit set to ${f.cappedAt}` : '';
  const failed = f.error ? `; containment failed: ${f.error}` : '';
  return `over after ${seconds} s (peak ${f.peak} processes): ${what}${cap}, ${f.left} processes left${failed}`;
}

export function forkBombFields(f: ForkGuardEvent): Fields {
  const counts: Fields =
    f.phase === 'start'
      ? { 'fork.processes': f.processes, ...(f.rate !== undefined ? { 'fork.rate': f.rate } : {}) }
      : {
          'fork.processes': f.left,
          'fork.peak': f.peak,
          'fork.killed': f.killed,
          ...(f.program ? { 'fork.program': f.program } : {}),
        };
  const limit = f.phase === 'start' ? f.pidsLimit : f.cappedAt;
  return {
    'evt.type': 'fork_bomb',
    'fork.phase': f.phase,
    'fork.reason': f.reason,
    'fork.summary': forkSummary(f),
    ...counts,
    ...(limit !== undefined ? { 'fork.pids_limit': limit } : {}),
    ...containerFields(f.container),
  };
}

export function resourceFields(r: ResourceEvent): Fields {
  return {
    'evt.type': 'resource_threshold',
    'resource.name': r.resource,
    'resource.value': r.value,
    'resource.threshold': r.threshold,
    'resource.usage': describeResource(r),
    ...containerFields(r.container),
  };
}

export function profileLearnedFields(profile: string, mode: string, programs: number): Fields {
  return { 'evt.type': 'profile_learned', 'profile.key': profile, 'profile.mode': mode, 'profile.programs': programs };
}

/** An open outside the workload's file profile (file_profile_violation). */
export function fileViolationFields(
  container: ContainerInfo,
  tid: number,
  exe: string,
  file: string,
  access: 'read' | 'write',
  reason: string,
  mode: string,
): Fields {
  return {
    'evt.type': 'file_profile_violation',
    'proc.pid': tid,
    'proc.exe': exe,
    'proc.name': basename(exe),
    'fd.name': file,
    'fd.directory': posix.dirname(file),
    'fd.write': access === 'write',
    'fd.access': access,
    'profile.reason': reason,
    'profile.mode': mode,
    ...containerFields(container),
  };
}
