import type { ContainerLike, ContainerSecurityContextLike, PodLike, PortLike, Val, VolumeLike } from './model.js';
import { emptySecurityContext } from './model.js';
import type { Locator } from './source.js';

// Docker Engine semantics shared by compose files and container-create bodies: security options,
// `user`, bind/volume specs and port specs, mapped onto the Kubernetes-shaped model.

/** "key=value", legacy "key:value", or a bare flag ("no-new-privileges"). */
function splitOption(opt: string): [string, string | undefined] {
  const eq = opt.indexOf('=');
  const colon = opt.indexOf(':');
  const cut = eq >= 0 ? eq : colon;
  return cut < 0 ? [opt.trim(), undefined] : [opt.slice(0, cut).trim(), opt.slice(cut + 1).trim()];
}

/** Applies `--security-opt` entries to a container's security context. */
export function applySecurityOpts(sc: ContainerSecurityContextLike, opts: readonly string[], loc: Locator): void {
  opts.forEach((opt, i) => {
    const [key, value] = splitOption(opt);
    const at = loc.place(i);
    const val = <T>(v: T): Val<T> => ({ value: v, ...at });
    switch (key.toLowerCase()) {
      case 'seccomp':
        // "unconfined" disables filtering; "builtin" is the engine's default; anything else is a profile file
        if (value === undefined) break;
        sc.seccompProfile = val(
          value === 'unconfined' ? 'Unconfined' : value === 'builtin' ? 'RuntimeDefault' : 'Localhost',
        );
        break;
      case 'apparmor':
        if (value === undefined) break;
        sc.appArmorProfile = val(
          value === 'unconfined' ? 'Unconfined' : value === 'docker-default' ? 'RuntimeDefault' : 'Localhost',
        );
        break;
      case 'no-new-privileges': {
        const on =
          value === undefined || value === ''
            ? true
            : value.toLowerCase() === 'true'
              ? true
              : value.toLowerCase() === 'false'
                ? false
                : undefined;
        if (on !== undefined) sc.allowPrivilegeEscalation = val(!on);
        break;
      }
      case 'label': {
        if (value === undefined) break;
        // label=disable runs the process unconfined by SELinux (as spc_t)
        if (value === 'disable') sc.seLinuxOptions.type = val('spc_t');
        const [part, setting] = splitOption(value);
        if (setting !== undefined && (part === 'user' || part === 'role' || part === 'type' || part === 'level'))
          sc.seLinuxOptions[part] = val(setting);
        break;
      }
      case 'systempaths':
        // systempaths=unconfined unmasks /proc and /sys paths, like procMount: Unmasked
        if (value === 'unconfined') sc.procMount = val('Unmasked');
        break;
    }
  });
}

/** `user` as Docker reads it: "uid", "uid:gid", "name", "name:group". */
export function applyUser(c: ContainerLike, user: string, at: Locator): void {
  const place = at.place();
  c.user = { value: user, ...place };
  const [u, g] = user.split(':', 2);
  if (u !== undefined && /^\d+$/.test(u)) c.securityContext.runAsUser = { value: Number(u), ...place };
  else if (u === 'root') c.securityContext.runAsUser = { value: 0, ...place };
  if (g !== undefined && /^\d+$/.test(g)) c.securityContext.runAsGroup = { value: Number(g), ...place };
}

export function newContainer(name: string, loc: Locator): ContainerLike {
  return {
    ...loc.place(),
    role: 'container',
    name,
    securityContext: emptySecurityContext(),
    resources: { limits: {}, requests: {} },
    ports: [],
    volumeMounts: [],
    probeHosts: [],
  };
}

export function newPod(loc: Locator): PodLike {
  return {
    ...loc.place(),
    securityContext: { seLinuxOptions: {}, sysctls: [] },
    annotations: new Map(),
    volumes: [],
    containers: [],
    initContainers: [],
    ephemeralContainers: [],
  };
}

/** "host" namespace modes (network_mode, pid, ipc, userns_mode; NetworkMode, PidMode, …). */
export function isHostMode(mode: string | null | undefined): boolean {
  return typeof mode === 'string' && mode.trim().toLowerCase() === 'host';
}

/** A volume plus its mount in the (only) container. */
export function addVolume(
  pod: PodLike,
  c: ContainerLike,
  v: Omit<VolumeLike, 'name'> & { name?: string },
  target: string | undefined,
  readOnly: boolean,
): void {
  const name = v.name ?? `volume-${pod.volumes.length}`;
  pod.volumes.push({ ...v, name });
  c.volumeMounts.push({
    field: v.field,
    ...(v.line ? { line: v.line } : {}),
    name,
    ...(target ? { mountPath: target } : {}),
    readOnly,
  });
}

/** Splits "SRC:DST[:MODE]" keeping Windows drive letters ("C:\data:/data") together. */
export function splitVolumeSpec(spec: string): string[] {
  const raw = spec.split(':');
  const parts: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i]!;
    const next = raw[i + 1];
    if (/^[A-Za-z]$/.test(p) && next !== undefined && /^[\\/]/.test(next)) {
      parts.push(`${p}:${next}`);
      i++;
    } else parts.push(p);
  }
  return parts;
}

/** Whether a volume source is a host path (not a named volume): absolute, relative (./ ../ ~), or a drive path. */
export function isHostSource(src: string): boolean {
  return /^(?:\/|\.{1,2}(?:\/|$)|~(?:\/|$)|[A-Za-z]:[\\/]|\\\\)/.test(src);
}

function portNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d{1,5})(?:-\d{1,5})?$/.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * A compose short port spec: "3000", "3000-3005", "8000:8000", "127.0.0.1:8001:8001",
 * "127.0.0.1::80", "[::1]:6001:6001", each optionally "/udp". Every form publishes on the
 * host; without a host port Docker picks one (hostPort 0).
 */
export function parsePortSpec(spec: string, loc: Locator): PortLike | undefined {
  let s = spec.trim();
  let protocol: string | undefined;
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    protocol = s.slice(slash + 1);
    s = s.slice(0, slash);
  }
  let ip: string | undefined;
  let rest: string[];
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    ip = s.slice(1, close);
    rest = s.slice(close + 2).split(':');
  } else {
    const parts = s.split(':');
    if (parts.length > 3) {
      ip = parts.slice(0, -2).join(':');
      rest = parts.slice(-2);
    } else if (parts.length === 3) {
      ip = parts[0];
      rest = parts.slice(1);
    } else rest = parts;
  }
  const container = portNumber(rest[rest.length - 1]);
  if (container === undefined) return undefined;
  const hostText = rest.length > 1 ? rest[0]! : '';
  const host = hostText === '' ? 0 : portNumber(hostText);
  if (host === undefined) return undefined;
  const place = loc.place();
  return {
    ...place,
    containerPort: { value: container, ...place },
    hostPort: { value: host, ...place },
    ...(ip ? { hostIP: { value: ip, ...place } } : {}),
    ...(protocol ? { protocol } : {}),
  };
}

/** Whether a limit value actually limits: zero, "0", "0.0", "0m" mean none; unresolved text gets the benefit of the doubt. */
export function limits(v: string | number | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'number') return v > 0; // -1: unlimited
  const t = v.trim();
  if (t === '' || /^-\d/.test(t)) return false;
  return !/^0*(?:\.0*)?\s*[A-Za-z]*$/.test(t) || /^[A-Za-z]/.test(t);
}
