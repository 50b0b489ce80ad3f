import { basename, posix } from 'node:path';
import type { AuditActivity, ConnectEvent, ExecEvent, OpenEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import type { ForkGuardEvent } from '../detectors/fork-guard.js';
import { describeResource, type ResourceEvent } from '../detectors/resources.js';
import type { Fields } from '../rules/condition.js';

// The fields rules read (see rules/default-rules.ts), built from what the agent saw. Pure:
// the one /proc look-up (the parent's name) is handed in and made only when a rule reads it.

type MutableFields = Record<string, Fields[string]>;

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

/** What every audit activity in a container has: the process and its container. */
function processFields(activity: AuditActivity, container: ContainerInfo): MutableFields {
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

export function execFields(activity: ExecEvent, container: ContainerInfo, drift: boolean): MutableFields {
  return {
    ...processFields(activity, container),
    'evt.type': 'exec',
    'proc.args': activity.argv,
    'proc.cmdline': activity.argv.join(' '),
    'proc.drift': drift,
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

export function connectFields(activity: ConnectEvent, container: ContainerInfo): MutableFields {
  return {
    ...processFields(activity, container),
    'evt.type': 'connect',
    'net.address': activity.address,
    ...(activity.port !== undefined ? { 'net.port': activity.port } : {}),
    'evt.success': activity.success,
  };
}

export function setuidFields(activity: AuditActivity, container: ContainerInfo): MutableFields {
  return { ...processFields(activity, container), 'evt.type': 'setuid' };
}

/** An exec fanotify holds: only the file and the process are known yet. */
export function heldExecFields(container: ContainerInfo, exe: string, pid: number, drift: boolean): Fields {
  return {
    'evt.type': 'exec',
    'proc.exe': exe,
    'proc.name': basename(exe),
    'proc.pid': pid,
    'proc.drift': drift,
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

/** What containment did, as a sentence tail ("" when none was tried). */
export function forkOutcome(f: Pick<ForkGuardEvent, 'containment' | 'error'>): string {
  const contained = f.containment
    ? `; pids limit set to ${f.containment.pidsLimit}, ${f.containment.killed} ${f.containment.program ?? ''} processes killed`
    : '';
  return `${contained}${f.error ? `; containment failed: ${f.error}` : ''}`;
}

export function forkBombFields(f: ForkGuardEvent): Fields {
  return {
    'evt.type': 'fork_bomb',
    'fork.reason': f.reason,
    'fork.outcome': forkOutcome(f),
    'fork.contained': f.containment !== undefined,
    ...(f.containment ? { 'fork.pids_limit': f.containment.pidsLimit, 'fork.killed': f.containment.killed } : {}),
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
