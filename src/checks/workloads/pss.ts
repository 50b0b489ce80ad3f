import { BulwarkError } from '../../core/errors.js';
import {
  allContainers,
  capabilityName,
  missingField,
  type ContainerLike,
  type FieldNames,
  type Place,
  type SecurityContextLike,
  type Val,
  type Workload,
} from './model.js';

// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
// baseline and restricted, as published for each Kubernetes minor version from v1.23, and as
// Pod Security Admission evaluates the versions before (down to v1.0) and after: each of its
// checks has a minimum version from v1.0, and a version newer than its newest is evaluated as
// its newest (k8s.io/pod-security-admission policy registry). Each
// control is one entry: the level it belongs to, the version it applies from, and a function
// that returns the admission-style detail of what violates it. Messages follow the
// Pod Security admission plugin's "reason (detail)" form, e.g.
//   privileged (container "nginx" must not set securityContext.privileged=true)
//
// Differences between versions implemented here (the standard's own version notes):
//   v1.0   baseline Seccomp reads the alpha annotations (seccomp.security.alpha.kubernetes.io/pod,
//          container.seccomp.security.alpha.kubernetes.io/<name>); v1.8 restricted Privilege
//          Escalation; v1.19 Seccomp reads the fields (restricted from here); v1.22 restricted
//          Capabilities; v1.23 restricted Running as Non-root user
//   v1.25  restricted: Privilege Escalation, Seccomp and Capabilities do not apply to pods with
//          spec.os.name: windows
//   v1.27  baseline Sysctls: + net.ipv4.ip_local_reserved_ports
//   v1.29  baseline Sysctls: + net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes
//   v1.31  baseline SELinux: + type container_engine_t
//   v1.32  baseline Sysctls: + net.ipv4.tcp_rmem, net.ipv4.tcp_wmem
//   v1.34  baseline: Host Probes / Lifecycle Hooks (no `host` in probes and lifecycle handlers)
// AppArmor: the annotations are checked at every version, and so are the appArmorProfile fields
// (they only exist from v1.30, so earlier versions could not see them set). Relaxations for pods
// with user namespaces (hostUsers: false) depend on the API server's
// UserNamespacesPodSecurityStandards feature gate, not on a version: see PssOptions.

export type PssLevel = 'baseline' | 'restricted';

/** The first version the standard was published for (earlier ones are evaluated too, as admission does). */
const FIRST_PUBLISHED_MINOR = 23;
const LATEST_MINOR = 34;
export const PSS_LATEST = `v1.${LATEST_MINOR}`;
/** Versions the standard was published for; any v1.N is accepted (see pssMinor). */
export const PSS_VERSIONS: readonly string[] = Array.from(
  { length: LATEST_MINOR - FIRST_PUBLISHED_MINOR + 1 },
  (_, i) => `v1.${FIRST_PUBLISHED_MINOR + i}`,
);

interface PssViolation {
  /** The control's name as the standard publishes it ("Privileged Containers", "Seccomp"). */
  control: string;
  level: PssLevel;
  /** "privileged (container "nginx" must not set securityContext.privileged=true)" */
  message: string;
  /** The first field concerned (set, or to be set). */
  field: string;
  line?: number;
  /** Every field concerned. */
  fields: string[];
}

export interface PssResult {
  allowed: boolean;
  level: PssLevel;
  /** The version evaluated ("latest" resolved). */
  version: string;
  violations: PssViolation[];
}

export interface PssOptions {
  /**
   * The API server's UserNamespacesPodSecurityStandards feature gate: Linux pods with
   * spec.hostUsers: false are then exempt from Running as Non-root and Running as Non-root user.
   */
  userNamespacesPodSecurityStandards?: boolean;
}

interface Found {
  detail: string;
  at: Place[];
}

interface Ctx {
  w: Workload;
  minor: number;
  windows: boolean;
}

interface Control {
  key: string;
  control: string;
  level: PssLevel;
  reason: (n: number) => string;
  /** First minor version the control (in this form) applies to. */
  since: number;
  /** Whether it applies to this pod (the Windows exemptions). */
  applies?: (ctx: Ctx) => boolean;
  /** A baseline control this one replaces when it applies (restricted is stricter on the same fields). */
  supersedes?: string;
  check: (ctx: Ctx) => Found | undefined;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const quoted = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
const containersPhrase = (cs: readonly ContainerLike[]) =>
  `${plural(cs.length, 'container', 'containers')} ${quoted(unique(cs.map((c) => c.name)))}`;

/** Kubernetes compares capability names literally; Docker-style sources are normalised. */
function cap(ctx: Ctx, name: string): string {
  return ctx.w.target === 'kubernetes' ? name : capabilityName(name);
}

function missing(ctx: Ctx, c: ContainerLike, names: FieldNames): Place {
  return missingField(ctx.w, c, names);
}

const present = <T>(v: Val<T> | undefined): v is Val<T> => v !== undefined;

// --- baseline ---------------------------------------------------------------------------

/** Capabilities a baseline pod may add (the container runtimes' defaults). Since v1.0. */
const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Safe sysctls by the version that added them to the baseline policy. */
const SYSCTLS: readonly [number, readonly string[]][] = [
  [
    0,
    [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  ],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [
    29,
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

/** The baseline's allowed sysctl names at a minor version. */
function allowedSysctls(minor: number): Set<string> {
  return new Set(SYSCTLS.filter(([since]) => since <= minor).flatMap(([, names]) => names));
}

/** SELinux types a baseline pod may set ("" and unset too); container_engine_t since v1.31. */
function allowedSeLinuxTypes(minor: number): Set<string> {
  return new Set([
    '',
    'container_t',
    'container_init_t',
    'container_kvm_t',
    ...(minor >= 31 ? ['container_engine_t'] : []),
  ]);
}

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
/** Docker's own volume kinds that are no more than those: named volumes and tmpfs. */
const ENGINE_VOLUME_TYPES = new Set(['volume', 'tmpfs']);

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

/** Before v1.19 the baseline reads the alpha annotations: runtime/default, docker/default or localhost/… */
function seccompAnnotations(ctx: Ctx): Found | undefined {
  const ok = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const keys = [SECCOMP_POD_ANNOTATION, ...allContainers(ctx.w.pod).map((c) => SECCOMP_CONTAINER_ANNOTATION + c.name)];
  const bad = new Map<string, Val<string>>();
  for (const key of keys) {
    const v = ctx.w.pod.annotations.get(key);
    if (v && !ok(v.value)) bad.set(`${key}=${JSON.stringify(v.value)}`, v);
  }
  if (bad.size === 0) return undefined;
  const names = [...bad.keys()].sort();
  return {
    detail: `forbidden ${plural(names.length, 'annotation', 'annotations')} ${names.join(', ')}`,
    at: names.map((n) => bad.get(n)!),
  };
}

function seccompBaseline(ctx: Ctx): Found | undefined {
  if (ctx.minor < 19) return seccompAnnotations(ctx);
  const parts: string[] = [];
  const at: Place[] = [];
  const pod = ctx.w.pod.securityContext.seccompProfile;
  if (pod && pod.value === 'Unconfined') {
    parts.push(`pod must not set securityContext.seccompProfile.type to ${JSON.stringify(pod.value)}`);
    at.push(pod);
  }
  const bad = allContainers(ctx.w.pod).filter((c) => c.securityContext.seccompProfile?.value === 'Unconfined');
  if (bad.length > 0) {
    parts.push(
      `${containersPhrase(bad)} must not set securityContext.seccompProfile.type to ${quoted(unique(bad.map((c) => c.securityContext.seccompProfile!.value)))}`,
    );
    at.push(...bad.map((c) => c.securityContext.seccompProfile!));
  }
  return parts.length > 0 ? { detail: parts.join('; '), at } : undefined;
}

function capabilitiesBaseline(ctx: Ctx): Found | undefined {
  const bad = allContainers(ctx.w.pod)
    .map((c) => ({ c, adds: c.securityContext.capabilities.add.filter((a) => !BASELINE_CAPS.has(cap(ctx, a.value))) }))
    .filter((x) => x.adds.length > 0);
  if (bad.length === 0) return undefined;
  const caps = unique(bad.flatMap((x) => x.adds.map((a) => a.value)));
  return {
    detail: `${containersPhrase(bad.map((x) => x.c))} must not include ${quoted(caps)} in securityContext.capabilities.add`,
    at: bad.flatMap((x) => x.adds),
  };
}

function seLinux(ctx: Ctx): Found | undefined {
  const types = allowedSeLinuxTypes(ctx.minor);
  const parts: string[] = [];
  const at: Place[] = [];
  const look = (sc: SecurityContextLike, who: string) => {
    const o = sc.seLinuxOptions;
    const bad: string[] = [];
    if (o.type && !types.has(o.type.value)) {
      bad.push(`type ${JSON.stringify(o.type.value)}`);
      at.push(o.type);
    }
    for (const k of ['user', 'role'] as const) {
      const v = o[k];
      if (v && v.value !== '') {
        bad.push(`${k} ${JSON.stringify(v.value)}`);
        at.push(v);
      }
    }
    if (bad.length > 0) parts.push(`${who} set forbidden securityContext.seLinuxOptions: ${bad.join(', ')}`);
  };
  look(ctx.w.pod.securityContext, 'pod');
  for (const c of allContainers(ctx.w.pod)) look(c.securityContext, `container ${JSON.stringify(c.name)}`);
  return parts.length > 0 ? { detail: parts.join('; '), at } : undefined;
}

function appArmor(ctx: Ctx): Found | undefined {
  const bad: string[] = [];
  const at: Place[] = [];
  for (const [key, v] of ctx.w.pod.annotations) {
    if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
    if (v.value === 'runtime/default' || v.value.startsWith('localhost/')) continue;
    bad.push(`${key}=${JSON.stringify(v.value)}`);
    at.push(v);
  }
  const field = (v: Val<string> | undefined, who: string) => {
    if (!v || v.value === 'RuntimeDefault' || v.value === 'Localhost') return;
    bad.push(`${who} must not set appArmorProfile.type to ${JSON.stringify(v.value)}`);
    at.push(v);
  };
  field(ctx.w.pod.securityContext.appArmorProfile, 'pod');
  for (const c of allContainers(ctx.w.pod))
    field(c.securityContext.appArmorProfile, `container ${JSON.stringify(c.name)}`);
  return bad.length > 0 ? { detail: bad.join(', '), at } : undefined;
}

// --- restricted -------------------------------------------------------------------------

const F = {
  escalation: {
    kubernetes: 'securityContext.allowPrivilegeEscalation',
    compose: 'security_opt',
    docker: 'HostConfig.SecurityOpt',
  },
  nonRoot: { kubernetes: 'securityContext.runAsNonRoot', compose: 'user', docker: 'User' },
  seccomp: {
    kubernetes: 'securityContext.seccompProfile.type',
    compose: 'security_opt',
    docker: 'HostConfig.SecurityOpt',
  },
  drop: { kubernetes: 'securityContext.capabilities.drop', compose: 'cap_drop', docker: 'HostConfig.CapDrop' },
} satisfies Record<string, FieldNames>;

function runAsNonRoot(ctx: Ctx): Found | undefined {
  const parts: string[] = [];
  const at: Place[] = [];
  const pod = ctx.w.pod.securityContext.runAsNonRoot;
  if (pod?.value === false) {
    parts.push('pod must not set securityContext.runAsNonRoot=false');
    at.push(pod);
  }
  const cs = allContainers(ctx.w.pod);
  const explicit = cs.filter((c) => c.securityContext.runAsNonRoot?.value === false);
  if (explicit.length > 0) {
    parts.push(`${containersPhrase(explicit)} must not set securityContext.runAsNonRoot=false`);
    at.push(...explicit.map((c) => c.securityContext.runAsNonRoot!));
  }
  const implicit = pod?.value === true ? [] : cs.filter((c) => c.securityContext.runAsNonRoot === undefined);
  if (implicit.length > 0) {
    parts.push(`pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
    at.push(...implicit.map((c) => missing(ctx, c, F.nonRoot)));
  }
  return parts.length > 0 ? { detail: parts.join('; '), at } : undefined;
}

function runAsUser(ctx: Ctx): Found | undefined {
  const who: string[] = [];
  const at: Place[] = [];
  const pod = ctx.w.pod.securityContext.runAsUser;
  if (pod?.value === 0) {
    who.push('pod');
    at.push(pod);
  }
  const bad = allContainers(ctx.w.pod).filter((c) => c.securityContext.runAsUser?.value === 0);
  if (bad.length > 0) {
    who.push(containersPhrase(bad));
    at.push(...bad.map((c) => c.securityContext.runAsUser!));
  }
  return who.length > 0 ? { detail: `${who.join(' and ')} must not set runAsUser=0`, at } : undefined;
}

function seccompRestricted(ctx: Ctx): Found | undefined {
  const ok = (v: Val<string> | undefined) => v?.value === 'RuntimeDefault' || v?.value === 'Localhost';
  const parts: string[] = [];
  const at: Place[] = [];
  const pod = ctx.w.pod.securityContext.seccompProfile;
  if (pod && !ok(pod)) {
    parts.push(`pod must not set securityContext.seccompProfile.type to ${JSON.stringify(pod.value)}`);
    at.push(pod);
  }
  const cs = allContainers(ctx.w.pod);
  const explicit = cs.filter((c) => c.securityContext.seccompProfile && !ok(c.securityContext.seccompProfile));
  if (explicit.length > 0) {
    parts.push(
      `${containersPhrase(explicit)} must not set securityContext.seccompProfile.type to ${quoted(unique(explicit.map((c) => c.securityContext.seccompProfile!.value)))}`,
    );
    at.push(...explicit.map((c) => c.securityContext.seccompProfile!));
  }
  const implicit = pod ? [] : cs.filter((c) => c.securityContext.seccompProfile === undefined);
  if (implicit.length > 0) {
    parts.push(
      `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    );
    at.push(...implicit.map((c) => missing(ctx, c, F.seccomp)));
  }
  return parts.length > 0 ? { detail: parts.join('; '), at } : undefined;
}

function capabilitiesRestricted(ctx: Ctx): Found | undefined {
  const parts: string[] = [];
  const at: Place[] = [];
  const cs = allContainers(ctx.w.pod);
  const noDrop = cs.filter((c) => !c.securityContext.capabilities.drop.some((d) => cap(ctx, d.value) === 'ALL'));
  if (noDrop.length > 0) {
    parts.push(`${containersPhrase(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    at.push(...noDrop.map((c) => c.securityContext.capabilities.drop[0] ?? missing(ctx, c, F.drop)));
  }
  const adds = cs
    .map((c) => ({
      c,
      adds: c.securityContext.capabilities.add.filter((a) => cap(ctx, a.value) !== 'NET_BIND_SERVICE'),
    }))
    .filter((x) => x.adds.length > 0);
  if (adds.length > 0) {
    parts.push(
      `${containersPhrase(adds.map((x) => x.c))} must not include ${quoted(unique(adds.flatMap((x) => x.adds.map((a) => a.value))))} in securityContext.capabilities.add`,
    );
    at.push(...adds.flatMap((x) => x.adds));
  }
  return parts.length > 0 ? { detail: parts.join('; '), at } : undefined;
}

/** Restricted's OS-specific controls: since v1.25 they do not apply to Windows pods. */
const linuxOnlySince125 = (ctx: Ctx) => !(ctx.windows && ctx.minor >= 25);

const CONTROLS: readonly Control[] = [
  // baseline (all since v1.0 unless noted)
  {
    key: 'hostProcess',
    control: 'HostProcess',
    level: 'baseline',
    since: 0,
    reason: () => 'hostProcess',
    check: (ctx) => {
      const who: string[] = [];
      const at: Place[] = [];
      const pod = ctx.w.pod.securityContext.windowsHostProcess;
      if (pod?.value === true) {
        who.push('pod');
        at.push(pod);
      }
      const bad = allContainers(ctx.w.pod).filter((c) => c.securityContext.windowsHostProcess?.value === true);
      if (bad.length > 0) {
        who.push(containersPhrase(bad));
        at.push(...bad.map((c) => c.securityContext.windowsHostProcess!));
      }
      return who.length > 0
        ? { detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`, at }
        : undefined;
    },
  },
  {
    key: 'hostNamespaces',
    control: 'Host Namespaces',
    level: 'baseline',
    since: 0,
    reason: () => 'host namespaces',
    check: (ctx) => {
      const set = (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .map((k) => [k, ctx.w.pod[k]] as const)
        .filter(([, v]) => v?.value === true);
      return set.length > 0
        ? { detail: set.map(([k]) => `${k}=true`).join(', '), at: set.map(([, v]) => v!) }
        : undefined;
    },
  },
  {
    key: 'privileged',
    control: 'Privileged Containers',
    level: 'baseline',
    since: 0,
    reason: () => 'privileged',
    check: (ctx) => {
      const bad = allContainers(ctx.w.pod).filter((c) => c.securityContext.privileged?.value === true);
      return bad.length > 0
        ? {
            detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
            at: bad.map((c) => c.securityContext.privileged!),
          }
        : undefined;
    },
  },
  {
    key: 'capabilitiesBaseline',
    control: 'Capabilities',
    level: 'baseline',
    since: 0,
    reason: () => 'non-default capabilities',
    check: capabilitiesBaseline,
  },
  {
    key: 'hostPathVolumes',
    control: 'HostPath Volumes',
    level: 'baseline',
    since: 0,
    reason: () => 'hostPath volumes',
    check: (ctx) => {
      const bad = ctx.w.pod.volumes.filter((v) => v.hostPath !== undefined || v.type === 'hostPath');
      return bad.length > 0
        ? {
            detail: `${plural(bad.length, 'volume', 'volumes')} ${quoted(bad.map((v) => v.name))}`,
            at: bad.map((v) => v.hostPath?.path ?? v),
          }
        : undefined;
    },
  },
  {
    key: 'hostPorts',
    control: 'Host Ports',
    level: 'baseline',
    since: 0,
    reason: () => 'hostPort',
    check: (ctx) => {
      const bad = allContainers(ctx.w.pod)
        .map((c) => ({
          c,
          ports: c.ports
            .map((p) => p.hostPort)
            .filter(present)
            .filter((h) => h.value !== 0),
        }))
        .filter((x) => x.ports.length > 0);
      if (bad.length === 0) return undefined;
      const ports = unique(bad.flatMap((x) => x.ports.map((p) => String(p.value))));
      return {
        detail: `${containersPhrase(bad.map((x) => x.c))} ${plural(bad.length, 'uses', 'use')} ${plural(ports.length, 'hostPort', 'hostPorts')} ${ports.join(', ')}`,
        at: bad.flatMap((x) => x.ports),
      };
    },
  },
  {
    key: 'appArmor',
    control: 'AppArmor',
    level: 'baseline',
    since: 0,
    reason: (n) => plural(n, 'forbidden AppArmor profile', 'forbidden AppArmor profiles'),
    check: appArmor,
  },
  { key: 'seLinux', control: 'SELinux', level: 'baseline', since: 0, reason: () => 'seLinuxOptions', check: seLinux },
  {
    key: 'procMount',
    control: '/proc Mount Type',
    level: 'baseline',
    since: 0,
    reason: () => 'procMount',
    check: (ctx) => {
      const bad = allContainers(ctx.w.pod).filter(
        (c) => c.securityContext.procMount && c.securityContext.procMount.value !== 'Default',
      );
      return bad.length > 0
        ? {
            detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${quoted(unique(bad.map((c) => c.securityContext.procMount!.value)))}`,
            at: bad.map((c) => c.securityContext.procMount!),
          }
        : undefined;
    },
  },
  // Seccomp: the annotations until v1.18, the fields since v1.19
  {
    key: 'seccompBaseline',
    control: 'Seccomp',
    level: 'baseline',
    since: 0,
    reason: () => 'seccompProfile',
    check: seccompBaseline,
  },
  {
    key: 'sysctls',
    control: 'Sysctls',
    level: 'baseline',
    since: 0,
    reason: () => 'forbidden sysctls',
    check: (ctx) => {
      const allowed = allowedSysctls(ctx.minor);
      const bad = ctx.w.pod.securityContext.sysctls.filter((s) => !allowed.has(s.value));
      return bad.length > 0 ? { detail: unique(bad.map((s) => s.value)).join(', '), at: bad } : undefined;
    },
  },
  {
    key: 'hostProbes',
    control: 'Host Probes / Lifecycle Hooks',
    level: 'baseline',
    since: 34,
    reason: () => 'probe or lifecycle host',
    check: (ctx) => {
      const bad = allContainers(ctx.w.pod)
        .map((c) => ({ c, hosts: c.probeHosts.filter((h) => h.value !== '') }))
        .filter((x) => x.hosts.length > 0);
      if (bad.length === 0) return undefined;
      const hosts = unique(bad.flatMap((x) => x.hosts.map((h) => h.value)));
      return {
        detail: `${containersPhrase(bad.map((x) => x.c))} ${plural(bad.length, 'uses', 'use')} ${plural(hosts.length, 'probe or lifecycle host', 'probe or lifecycle hosts')} ${quoted(hosts)}`,
        at: bad.flatMap((x) => x.hosts),
      };
    },
  },
  // restricted
  {
    key: 'volumeTypes',
    control: 'Volume Types',
    level: 'restricted',
    since: 0,
    reason: () => 'restricted volume types',
    check: (ctx) => {
      const engine = ctx.w.target !== 'kubernetes';
      const bad = ctx.w.pod.volumes.filter(
        (v) => !RESTRICTED_VOLUME_TYPES.has(v.type) && !(engine && ENGINE_VOLUME_TYPES.has(v.type)),
      );
      if (bad.length === 0) return undefined;
      const types = unique(bad.map((v) => v.type));
      return {
        detail: `${plural(bad.length, 'volume', 'volumes')} ${quoted(bad.map((v) => v.name))} ${plural(bad.length, 'uses', 'use')} ${plural(types.length, 'restricted volume type', 'restricted volume types')} ${quoted(types)}`,
        at: bad,
      };
    },
  },
  {
    key: 'allowPrivilegeEscalation',
    control: 'Privilege Escalation',
    level: 'restricted',
    since: 8,
    applies: linuxOnlySince125,
    reason: () => 'allowPrivilegeEscalation != false',
    check: (ctx) => {
      const bad = allContainers(ctx.w.pod).filter((c) => c.securityContext.allowPrivilegeEscalation?.value !== false);
      return bad.length > 0
        ? {
            detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
            at: bad.map((c) => c.securityContext.allowPrivilegeEscalation ?? missing(ctx, c, F.escalation)),
          }
        : undefined;
    },
  },
  {
    key: 'runAsNonRoot',
    control: 'Running as Non-root',
    level: 'restricted',
    since: 0,
    reason: () => 'runAsNonRoot != true',
    check: runAsNonRoot,
  },
  {
    key: 'runAsUser',
    control: 'Running as Non-root user',
    level: 'restricted',
    since: 23,
    reason: () => 'runAsUser=0',
    check: runAsUser,
  },
  {
    key: 'seccompRestricted',
    control: 'Seccomp',
    level: 'restricted',
    since: 19,
    applies: linuxOnlySince125,
    supersedes: 'seccompBaseline',
    reason: () => 'seccompProfile',
    check: seccompRestricted,
  },
  {
    key: 'capabilitiesRestricted',
    control: 'Capabilities',
    level: 'restricted',
    since: 22,
    applies: linuxOnlySince125,
    supersedes: 'capabilitiesBaseline',
    reason: () => 'unrestricted capabilities',
    check: capabilitiesRestricted,
  },
];

/**
 * "latest", "v1.30", "1.30" → the minor version evaluated. As Pod Security Admission: any
 * v1.N from v1.0 is valid, and one newer than the newest known is evaluated as the newest.
 */
export function pssMinor(version: string): number {
  if (version === 'latest') return LATEST_MINOR;
  const m = /^v?1\.(0|[1-9]\d{0,8})$/.exec(version.trim());
  if (!m)
    throw new BulwarkError(
      'USAGE',
      version,
      'not a Pod Security Standards version (expected latest or v1.<minor>, e.g. v1.30)',
    );
  return Math.min(Number(m[1]), LATEST_MINOR);
}

/** Controls of a level at a version, by published name (restricted includes baseline's). */
export function pssControls(level: PssLevel, version = 'latest'): { control: string; level: PssLevel }[] {
  const minor = pssMinor(version);
  return CONTROLS.filter((c) => c.since <= minor && (level === 'restricted' || c.level === 'baseline')).map((c) => ({
    control: c.control,
    level: c.level,
  }));
}

/** Evaluates a workload's pod against a Pod Security Standards level at a version. */
export function evaluatePss(w: Workload, level: PssLevel, version = 'latest', options: PssOptions = {}): PssResult {
  const minor = pssMinor(version);
  const ctx: Ctx = { w, minor, windows: w.pod.os?.value === 'windows' };
  const userns =
    options.userNamespacesPodSecurityStandards === true && w.pod.hostUsers?.value === false && !ctx.windows;
  const active = CONTROLS.filter(
    (c) => c.since <= minor && (level === 'restricted' || c.level === 'baseline') && (c.applies?.(ctx) ?? true),
  );
  const superseded = new Set(active.map((c) => c.supersedes).filter((k): k is string => k !== undefined));
  const violations: PssViolation[] = [];
  for (const c of active) {
    if (superseded.has(c.key)) continue;
    if (userns && (c.key === 'runAsNonRoot' || c.key === 'runAsUser')) continue;
    const found = c.check(ctx);
    if (!found) continue;
    const first = found.at[0] ?? { field: w.pod.field };
    violations.push({
      control: c.control,
      level: c.level,
      message: `${c.reason(found.at.length)} (${found.detail})`,
      field: first.field,
      ...(first.line !== undefined ? { line: first.line } : {}),
      fields: unique(found.at.map((p) => p.field)),
    });
  }
  return { allowed: violations.length === 0, level, version: `v1.${minor}`, violations };
}
