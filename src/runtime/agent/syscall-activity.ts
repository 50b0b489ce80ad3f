import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConnectEvent, SyscallEvent } from '../audit/interpret.js';
import type { ContainerInfo } from '../containers.js';
import { processFields, type MutableFields } from './fields.js';

// The syscall rules' events (evt.type = syscall) and unix-socket connects (the Docker socket
// rule) in a container: their rule fields, and the evidence the event carries. The runtime's own
// work while it starts a container or a `docker exec` (runc's init mounts, joins namespaces and
// loads its device filter in the container's cgroup) is no container's doing: never reported.
// Two facts come from /proc while the process lives: the namespaces it shares with pid 1 after
// setns/unshare, and what a successful mount mounted (mount's source and type are pointers the
// audit record does not carry).

const NAMESPACE_TYPES = ['mnt', 'pid', 'net', 'uts', 'ipc', 'user', 'cgroup'] as const;

export interface ProcView {
  /** The namespace link (e.g. "mnt:[4026531841]") of each type; undefined once the process is gone. */
  namespaces(pid: number): Map<string, string> | undefined;
  /** The mount at this mount point as the process sees it (its last one). */
  mountAt(pid: number, target: string): { source: string; fstype: string } | undefined;
}

const procView: ProcView = {
  namespaces(pid) {
    const out = new Map<string, string>();
    for (const t of NAMESPACE_TYPES) {
      try {
        out.set(t, readlinkSync(`/proc/${pid}/ns/${t}`));
      } catch {
        if (t === 'mnt') return undefined; // gone or not ours to read (every process has a mount namespace)
      }
    }
    return out;
  },
  mountAt(pid, target) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      return undefined;
    }
    let found: { source: string; fstype: string } | undefined;
    for (const line of text.split('\n')) {
      // id parent major:minor root mountpoint options [optional…] - fstype source super-options
      const [left, right] = line.split(' - ');
      const point = left?.split(' ')[4]?.replace(/\\040/g, ' ');
      const [fstype, source] = right?.split(' ') ?? [];
      if (point === target && fstype !== undefined && source !== undefined) found = { source, fstype };
    }
    return found;
  },
};

/**
 * runc while it sets up a container or an exec, in the container's cgroup: started as
 * /proc/self/exe (comm "exe") it bind-mounts its own binary, then as runc:[0:PARENT] …
 * runc:[2:INIT] joins namespaces and mounts the root; once it pivoted into the container's
 * root its exe reads as "/". (A program of the image named runc and run as "exe" would pass
 * too: the audit record has no better mark of the runtime.)
 */
function isRuntime(a: SyscallEvent | ConnectEvent): boolean {
  if (a.exe === '/' || (a.comm?.startsWith('runc') ?? false)) return true;
  return a.comm === 'exe' && /(^|\/)runc$/.test(a.exe ?? '');
}

export interface SyscallSeen {
  fields: MutableFields;
  /** The event's fields: the call's arguments and what /proc said. */
  evidence: Record<string, string | number>;
}

/**
 * Namespace types the process shares with the host, as "mnt,uts"; undefined when gone. The
 * host: pid 1's namespaces, or the agent's own where pid 1's cannot be read (a protected init).
 */
function sharedWithHost(view: ProcView, pid: number): string | undefined {
  const mine = view.namespaces(pid);
  const host = view.namespaces(1) ?? view.namespaces(process.pid);
  if (!mine || !host) return undefined;
  return [...mine]
    .filter(([t, link]) => host.get(t) === link)
    .map(([t]) => t)
    .join(',');
}

function lookups(a: SyscallEvent, view: ProcView): Record<string, string | number> {
  const { family, call, args } = a.call;
  if (family === 'namespace' && a.success) {
    const host = sharedWithHost(view, a.pid);
    return host !== undefined ? { host_namespaces: host } : {};
  }
  if (call === 'mount' && a.success && typeof args.target === 'string') {
    // (the caller may be gone already: its parent, most often in the same mount namespace)
    const m = view.mountAt(a.pid, args.target) ?? view.mountAt(a.ppid, args.target);
    return m ? { source: m.source, fstype: m.fstype } : {};
  }
  return {};
}

/** Rule fields and evidence of a syscall event or a unix connect in a container; undefined for the runtime's own. */
export function syscallActivity(
  a: SyscallEvent | ConnectEvent,
  container: ContainerInfo,
  view: ProcView = procView,
): SyscallSeen | undefined {
  if (isRuntime(a)) return undefined;
  const common = { ...processFields(a, container), 'evt.success': a.success, 'evt.res': a.exit };
  if (a.kind === 'connect') {
    const fields = {
      ...common,
      'evt.type': 'connect',
      'net.family': a.family,
      'net.address': a.address,
      'net.filename': basename(a.address),
    };
    return { fields, evidence: { family: a.family, address: a.address } };
  }
  const { family, call, args, summary } = a.call;
  const evidence: Record<string, string | number> = { syscall: call, ...args, ...lookups(a, view), result: a.exit };
  const fields: MutableFields = {
    ...common,
    'evt.type': 'syscall',
    'syscall.name': call,
    'syscall.family': family,
    'syscall.args': summary,
  };
  // each decoded argument as <family>.<name> (socket.family, ptrace.request, mount.target, ns.host_namespaces …)
  const prefix = family === 'namespace' ? 'ns' : family;
  for (const [k, v] of Object.entries(evidence)) if (k !== 'syscall' && k !== 'result') fields[`${prefix}.${k}`] = v;
  return { fields, evidence };
}
