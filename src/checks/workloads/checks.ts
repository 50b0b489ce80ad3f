import { posix } from 'node:path';
import type { CheckInfo, CheckResult, CheckTarget } from '../check.js';
import { limits } from './engine.js';
import {
  allContainers,
  capabilityName,
  containerWord,
  missingField,
  workloadLabel,
  type ContainerLike,
  type FieldNames,
  type Place,
  type VolumeLike,
  type Workload,
} from './model.js';

// Least-privilege checks for workloads: Kubernetes pod templates, compose services and Docker
// container-create bodies, all read into one model. One check is one catalog entry and one
// small function returning what it found; `checkWorkload` runs those whose targets include
// the workload's.

interface Hit {
  message: string;
  at: Place;
  evidence?: string;
}

interface WorkloadCheck {
  info: CheckInfo;
  run: (w: Workload) => Hit[];
}

const ALL: readonly CheckTarget[] = ['kubernetes', 'compose', 'docker-create'];
const ENGINE: readonly CheckTarget[] = ['compose', 'docker-create'];

/** Capabilities that open the way to the host or its network. */
const DANGEROUS_CAPS = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_PTRACE',
  'SYS_BOOT',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'SYSLOG',
]);

/** Container-engine API sockets and the directories that hold them. */
const RUNTIME_SOCKETS = new Set([
  'docker.sock',
  'containerd.sock',
  'crio.sock',
  'podman.sock',
  'cri-dockerd.sock',
  'dockershim.sock',
  'docker_engine',
]);
const SOCKET_DIRS = new Set([
  '/run',
  '/var/run',
  '/run/containerd',
  '/var/run/containerd',
  '/run/crio',
  '/var/run/crio',
  '/run/podman',
  '/var/run/podman',
  '/run/k3s/containerd',
  '/run/docker',
  '/var/run/docker',
]);

/** Host paths whose mount hands over the node: exact matches, and trees below which everything counts. */
const SENSITIVE_EXACT = new Set(['/', '/var', '/usr', '/lib', '/bin', '/sbin', '/home', '/var/log', '/var/lib']);
const SENSITIVE_TREES = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/lib/modules',
  '/usr/lib/modules',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/etc/kubernetes',
];

function windows(w: Workload): boolean {
  return w.pod.os?.value === 'windows';
}

/** Containers that run the workload (init containers included, ephemeral debug containers not). */
function running(w: Workload): ContainerLike[] {
  return [...w.pod.containers, ...w.pod.initContainers];
}

function hostPathOf(v: VolumeLike): string | undefined {
  const p = v.hostPath?.path.value;
  if (p === undefined) return undefined;
  if (!p.startsWith('/')) return p;
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function isRuntimeSocket(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  return RUNTIME_SOCKETS.has(base) || SOCKET_DIRS.has(path);
}

function isSensitivePath(path: string): boolean {
  return SENSITIVE_EXACT.has(path) || SENSITIVE_TREES.some((t) => path === t || path.startsWith(`${t}/`));
}

/** Mounts of a volume: who mounts it where, for messages. */
function mountedBy(w: Workload, v: VolumeLike): string {
  const uses = allContainers(w.pod).flatMap((c) =>
    c.volumeMounts
      .filter((m) => m.name === v.name)
      .map((m) => `${containerWord(c)} at ${m.mountPath ?? '?'}${m.readOnly ? ' (read-only)' : ''}`),
  );
  return uses.length > 0 ? `, mounted by ${uses.join(', ')}` : '';
}

function hostPathHits(w: Workload, match: (path: string) => boolean, say: (path: string) => string): Hit[] {
  return w.pod.volumes.flatMap((v) => {
    const path = hostPathOf(v);
    if (path === undefined || !match(path)) return [];
    return [{ message: `${say(path)}${mountedBy(w, v)}`, at: v.hostPath!.path, evidence: v.hostPath!.path.value }];
  });
}

const F = {
  drop: { kubernetes: 'securityContext.capabilities.drop', compose: 'cap_drop', docker: 'HostConfig.CapDrop' },
  escalation: {
    kubernetes: 'securityContext.allowPrivilegeEscalation',
    compose: 'security_opt',
    docker: 'HostConfig.SecurityOpt',
  },
  nonRoot: { kubernetes: 'securityContext.runAsNonRoot', compose: 'user', docker: 'User' },
  readOnly: {
    kubernetes: 'securityContext.readOnlyRootFilesystem',
    compose: 'read_only',
    docker: 'HostConfig.ReadonlyRootfs',
  },
  seccomp: { kubernetes: 'securityContext.seccompProfile', compose: 'security_opt', docker: 'HostConfig.SecurityOpt' },
  cpu: { kubernetes: 'resources.limits.cpu', compose: 'deploy.resources.limits.cpus', docker: 'HostConfig.NanoCpus' },
  memory: {
    kubernetes: 'resources.limits.memory',
    compose: 'deploy.resources.limits.memory',
    docker: 'HostConfig.Memory',
  },
  pids: { kubernetes: '', compose: 'deploy.resources.limits.pids', docker: 'HostConfig.PidsLimit' },
} satisfies Record<string, FieldNames>;

function hostNamespace(w: Workload, key: 'hostNetwork' | 'hostPID' | 'hostIPC', what: string): Hit[] {
  const v = w.pod[key];
  return v?.value === true ? [{ message: `${workloadLabel(w)} ${what}`, at: v, evidence: `${key}: true` }] : [];
}

/** Where the effective profile of a container comes from: its own setting, else the pod's. */
function effectiveProfile(w: Workload, c: ContainerLike, key: 'seccompProfile' | 'appArmorProfile') {
  return c.securityContext[key] ?? w.pod.securityContext[key];
}

const CHECKS: readonly WorkloadCheck[] = [
  {
    info: {
      id: 'BW-WL-001',
      title: 'Privileged container',
      severity: 'CRITICAL',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'Privileged Containers' },
      description:
        'A privileged container has every capability, every host device and no seccomp, AppArmor or SELinux confinement: root in it is root on the host (mount the host disk, load kernel modules).',
      remediation: 'Remove privileged: true; add only the capabilities and devices the program needs.',
    },
    run: (w) =>
      allContainers(w.pod).flatMap((c) =>
        c.securityContext.privileged?.value === true
          ? [
              {
                message: `${workloadLabel(w)}: ${containerWord(c)} is privileged`,
                at: c.securityContext.privileged,
                evidence: 'privileged: true',
              },
            ]
          : [],
      ),
  },
  {
    info: {
      id: 'BW-WL-002',
      title: 'Host network namespace',
      severity: 'HIGH',
      stride: 'InformationDisclosure',
      attack: 'T1040',
      targets: ALL,
      pss: { level: 'baseline', control: 'Host Namespaces' },
      description:
        "The container uses the node's network stack: with the default NET_RAW capability it can capture the node's traffic, it reaches services listening on the node's loopback, and network policies no longer apply to it.",
      remediation: 'Remove hostNetwork: true / network_mode: host; publish the ports the service needs instead.',
    },
    run: (w) => hostNamespace(w, 'hostNetwork', "shares the host's network namespace"),
  },
  {
    info: {
      id: 'BW-WL-003',
      title: 'Host PID namespace',
      severity: 'HIGH',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'Host Namespaces' },
      description:
        'The container sees every process on the host with its command line and environment, can signal processes of the same user, and with SYS_PTRACE or privileged can enter them (nsenter -t 1) and escape.',
      remediation: 'Remove hostPID: true / pid: host.',
    },
    run: (w) => hostNamespace(w, 'hostPID', "shares the host's process namespace"),
  },
  {
    info: {
      id: 'BW-WL-004',
      title: 'Host IPC namespace',
      severity: 'HIGH',
      stride: 'InformationDisclosure',
      attack: 'T1005',
      targets: ALL,
      pss: { level: 'baseline', control: 'Host Namespaces' },
      description:
        "The container shares the host's System V IPC and POSIX message queues: it can read and write other processes' shared memory on the node.",
      remediation: 'Remove hostIPC: true / ipc: host; share IPC only between containers of one pod (ipc: service:…).',
    },
    run: (w) => hostNamespace(w, 'hostIPC', "shares the host's IPC namespace"),
  },
  {
    info: {
      id: 'BW-WL-005',
      title: 'Host user namespace',
      severity: 'LOW',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      description:
        "Without a user namespace, UID 0 in the container is UID 0 on the host: any escape (a kernel bug, a writable host mount) acts as host root. Kubernetes: spec.hostUsers is not false; Docker/compose: userns_mode / UsernsMode host opts out of the daemon's user remapping.",
      remediation:
        'Kubernetes: set spec.hostUsers: false (user namespaces, on by default from v1.33 where the node supports them). Docker: remove userns_mode: host and run the daemon with userns-remap.',
    },
    run: (w) => {
      const v = w.pod.hostUsers;
      if (w.target === 'kubernetes') {
        if (windows(w) || v?.value === false) return [];
        return [
          {
            message: `${workloadLabel(w)} runs in the host user namespace (spec.hostUsers is not false)`,
            at: v ?? {
              field: w.pod.field ? `${w.pod.field}.hostUsers` : 'hostUsers',
              ...(w.pod.line ? { line: w.pod.line } : {}),
            },
          },
        ];
      }
      return v?.value === true
        ? [
            {
              message: `${workloadLabel(w)} opts out of user namespace remapping`,
              at: v,
              evidence: 'userns_mode: host',
            },
          ]
        : [];
    },
  },
  {
    info: {
      id: 'BW-WL-006',
      title: 'Host path mounted',
      severity: 'MEDIUM',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'HostPath Volumes' },
      description:
        "A hostPath volume or bind mount exposes part of the node's filesystem to the container: writable, it lets the container change what the host runs; readable, it leaks what the host keeps there.",
      remediation:
        'Use a volume (emptyDir, a PVC, a named volume) or a ConfigMap/Secret; if a host path is unavoidable, mount the narrowest file read-only.',
    },
    run: (w) =>
      hostPathHits(
        w,
        () => true,
        (p) => `${workloadLabel(w)} mounts host path ${p}`,
      ),
  },
  {
    info: {
      id: 'BW-WL-007',
      title: 'Container runtime socket mounted',
      severity: 'CRITICAL',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'HostPath Volumes' },
      description:
        'The Docker, containerd, CRI-O or Podman API socket (or the directory holding it) is mounted: whoever talks to it starts a privileged container with the host filesystem and owns the node. Read-only mounts do not help: connecting to a socket is not a write.',
      remediation:
        'Do not mount the engine socket; use a narrowly scoped API proxy or a rootless engine for build and monitoring tools.',
    },
    run: (w) => hostPathHits(w, isRuntimeSocket, (p) => `${workloadLabel(w)} mounts the container runtime socket ${p}`),
  },
  {
    info: {
      id: 'BW-WL-008',
      title: 'Sensitive host path mounted',
      severity: 'HIGH',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'HostPath Volumes' },
      description:
        "A system directory of the node (/, /etc, /proc, /sys, /dev, /root, /var/log, /var/lib/kubelet, the container runtime's data…) is mounted: its contents let a container read node credentials or change the host (cron, systemd units, kubelet pods, log symlink tricks).",
      remediation:
        'Remove the mount; node agents that need one should mount the narrowest path read-only and run in a dedicated, restricted namespace.',
    },
    run: (w) => hostPathHits(w, isSensitivePath, (p) => `${workloadLabel(w)} mounts sensitive host path ${p}`),
  },
  {
    info: {
      id: 'BW-WL-009',
      title: 'Dangerous capability added',
      severity: 'HIGH',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'Capabilities' },
      description:
        "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, DAC_READ_SEARCH, NET_ADMIN, BPF, ALL and the like each give a known way out of the container or over the node's network (mounts, kernel modules, ptrace of host processes, open_by_handle_at, routing and firewall changes).",
      remediation:
        'Remove the capability; if a single privileged operation is needed, move it to a separate, reviewed component.',
    },
    run: (w) =>
      allContainers(w.pod).flatMap((c) =>
        c.securityContext.capabilities.add
          .filter((a) => DANGEROUS_CAPS.has(capabilityName(a.value)))
          .map((a) => ({
            message: `${workloadLabel(w)}: ${containerWord(c)} adds capability ${capabilityName(a.value)}`,
            at: a,
            evidence: a.value,
          })),
      ),
  },
  {
    info: {
      id: 'BW-WL-010',
      title: 'Capability added',
      severity: 'LOW',
      stride: 'ElevationOfPrivilege',
      attack: 'T1068',
      targets: ALL,
      pss: { level: 'restricted', control: 'Capabilities' },
      description:
        'The container adds a capability beyond NET_BIND_SERVICE: each one widens what root in the container can do to the kernel.',
      remediation:
        'Drop ALL and add back only NET_BIND_SERVICE, or nothing; prefer unprivileged ports and file permissions.',
    },
    run: (w) =>
      allContainers(w.pod).flatMap((c) =>
        c.securityContext.capabilities.add
          .filter((a) => !DANGEROUS_CAPS.has(capabilityName(a.value)) && capabilityName(a.value) !== 'NET_BIND_SERVICE')
          .map((a) => ({
            message: `${workloadLabel(w)}: ${containerWord(c)} adds capability ${capabilityName(a.value)}`,
            at: a,
            evidence: a.value,
          })),
      ),
  },
  {
    info: {
      id: 'BW-WL-011',
      title: 'Capabilities not dropped',
      severity: 'LOW',
      stride: 'ElevationOfPrivilege',
      attack: 'T1068',
      targets: ALL,
      pss: { level: 'restricted', control: 'Capabilities' },
      description:
        "The container keeps the runtime's default capabilities (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_RAW, MKNOD…): more kernel surface than almost any program needs.",
      remediation: 'Drop ALL (capabilities.drop: [ALL] / cap_drop: [ALL]) and add back only what is needed.',
    },
    run: (w) => {
      if (windows(w)) return [];
      return allContainers(w.pod)
        .filter((c) => !c.securityContext.capabilities.drop.some((d) => capabilityName(d.value) === 'ALL'))
        .map((c) => ({
          message: `${workloadLabel(w)}: ${containerWord(c)} does not drop ALL capabilities`,
          at: c.securityContext.capabilities.drop[0] ?? missingField(w, c, F.drop),
        }));
    },
  },
  {
    info: {
      id: 'BW-WL-012',
      title: 'Privilege escalation allowed',
      severity: 'MEDIUM',
      stride: 'ElevationOfPrivilege',
      attack: 'T1548.001',
      targets: ALL,
      pss: { level: 'restricted', control: 'Privilege Escalation' },
      description:
        'Without no_new_privs a process can gain privileges through set-user-id binaries and file capabilities in the image.',
      remediation:
        'Set securityContext.allowPrivilegeEscalation: false (Docker/compose: security_opt: [no-new-privileges:true]).',
    },
    run: (w) => {
      if (windows(w)) return [];
      return allContainers(w.pod)
        .filter((c) => c.securityContext.allowPrivilegeEscalation?.value !== false)
        .map((c) => {
          const v = c.securityContext.allowPrivilegeEscalation;
          return {
            message: `${workloadLabel(w)}: ${containerWord(c)} ${v ? 'allows' : 'does not forbid'} privilege escalation`,
            at: v ?? missingField(w, c, F.escalation),
            ...(v ? { evidence: 'allowPrivilegeEscalation: true' } : {}),
          };
        });
    },
  },
  {
    info: {
      id: 'BW-WL-013',
      title: 'Container may run as root',
      severity: 'MEDIUM',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'restricted', control: 'Running as Non-root' },
      description:
        'The container runs as UID 0, or nothing stops it from doing so (no runAsNonRoot: true, no non-zero runAsUser; Docker/compose: no user): an escape or writable host mount then acts as root.',
      remediation: 'Set runAsNonRoot: true and a non-zero runAsUser (Docker/compose: user: "10001:10001").',
    },
    run: (w) => {
      if (windows(w)) return [];
      return running(w).flatMap((c): Hit[] => {
        const uid = c.securityContext.runAsUser ?? w.pod.securityContext.runAsUser;
        if (uid?.value === 0)
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} runs as UID 0`,
              at: uid,
              evidence: c.user?.value ?? 'runAsUser: 0',
            },
          ];
        if (w.target !== 'kubernetes')
          return c.user
            ? []
            : [
                {
                  message: `${workloadLabel(w)}: ${containerWord(c)} sets no user: the image's USER decides (root unless the image sets one)`,
                  at: missingField(w, c, F.nonRoot),
                },
              ];
        const nonRoot = c.securityContext.runAsNonRoot ?? w.pod.securityContext.runAsNonRoot;
        if (uid !== undefined || nonRoot?.value === true) return [];
        return [
          {
            message: `${workloadLabel(w)}: ${containerWord(c)} may run as root (runAsNonRoot is not true and runAsUser is not set)`,
            at: nonRoot ?? missingField(w, c, F.nonRoot),
          },
        ];
      });
    },
  },
  {
    info: {
      id: 'BW-WL-014',
      title: 'Writable root filesystem',
      severity: 'LOW',
      stride: 'Tampering',
      attack: 'T1105',
      targets: ALL,
      description:
        "The container's root filesystem is writable: an intruder can drop tools and change the programs and configuration the container runs.",
      remediation:
        'Set readOnlyRootFilesystem: true (Docker/compose: read_only: true) and mount an emptyDir / tmpfs where the program writes.',
    },
    run: (w) =>
      running(w)
        .filter((c) => c.securityContext.readOnlyRootFilesystem?.value !== true)
        .map((c) => ({
          message: `${workloadLabel(w)}: ${containerWord(c)} has a writable root filesystem`,
          at: c.securityContext.readOnlyRootFilesystem ?? missingField(w, c, F.readOnly),
        })),
  },
  {
    info: {
      id: 'BW-WL-015',
      title: 'Seccomp unconfined',
      severity: 'MEDIUM',
      stride: 'ElevationOfPrivilege',
      attack: 'T1068',
      targets: ALL,
      pss: { level: 'restricted', control: 'Seccomp' },
      description:
        "Without a seccomp filter every system call reaches the kernel, including the rarely used ones most container escapes go through. Kubernetes runs containers Unconfined unless a profile is set (or the kubelet's seccompDefault is on); Docker applies its default profile unless told seccomp=unconfined.",
      remediation:
        'Set securityContext.seccompProfile.type: RuntimeDefault (pod level covers every container); Docker/compose: remove seccomp=unconfined.',
    },
    run: (w) => {
      if (windows(w)) return [];
      return allContainers(w.pod).flatMap((c): Hit[] => {
        const p = effectiveProfile(w, c, 'seccompProfile');
        if (p?.value === 'Unconfined')
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} runs with seccomp Unconfined`,
              at: p,
              evidence: w.target === 'kubernetes' ? 'seccompProfile.type: Unconfined' : 'seccomp=unconfined',
            },
          ];
        if (p === undefined && w.target === 'kubernetes')
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} sets no seccomp profile (Unconfined unless the kubelet defaults to RuntimeDefault)`,
              at: missingField(w, c, F.seccomp),
            },
          ];
        return [];
      });
    },
  },
  {
    info: {
      id: 'BW-WL-016',
      title: 'AppArmor unconfined',
      severity: 'MEDIUM',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ALL,
      pss: { level: 'baseline', control: 'AppArmor' },
      description:
        "The runtime's default AppArmor profile is switched off: it is what denies mounts, writes to /proc and /sys, and other known escape paths.",
      remediation:
        'Remove the Unconfined profile (appArmorProfile.type / the container.apparmor.security.beta.kubernetes.io annotation / apparmor=unconfined); use RuntimeDefault or a Localhost profile.',
    },
    run: (w) =>
      allContainers(w.pod).flatMap((c): Hit[] => {
        const p = effectiveProfile(w, c, 'appArmorProfile');
        if (p?.value === 'Unconfined')
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} runs AppArmor Unconfined`,
              at: p,
              evidence: w.target === 'kubernetes' ? 'appArmorProfile.type: Unconfined' : 'apparmor=unconfined',
            },
          ];
        const a = w.pod.annotations.get(`container.apparmor.security.beta.kubernetes.io/${c.name}`);
        if (p === undefined && a?.value === 'unconfined')
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} runs AppArmor unconfined (annotation)`,
              at: a,
              evidence: 'unconfined',
            },
          ];
        return [];
      }),
  },
  {
    info: {
      id: 'BW-WL-017',
      title: 'No CPU limit',
      severity: 'LOW',
      stride: 'DenialOfService',
      attack: 'T1496',
      targets: ALL,
      description:
        'Without a CPU limit one container (a busy loop, a cryptominer) can take every core of the node from its neighbours.',
      remediation: 'Set resources.limits.cpu (compose: deploy.resources.limits.cpus; docker: --cpus).',
    },
    run: (w) =>
      running(w)
        .filter((c) => !limits(c.resources.limits.cpu?.value))
        .map((c) => ({
          message: `${workloadLabel(w)}: ${containerWord(c)} has no CPU limit`,
          at: c.resources.limits.cpu ?? missingField(w, c, F.cpu),
        })),
  },
  {
    info: {
      id: 'BW-WL-018',
      title: 'No memory limit',
      severity: 'MEDIUM',
      stride: 'DenialOfService',
      attack: 'T1499',
      targets: ALL,
      description:
        "Without a memory limit one container can exhaust the node's memory and get other workloads (or node daemons) killed by the OOM killer.",
      remediation:
        'Set resources.limits.memory (compose: deploy.resources.limits.memory or mem_limit; docker: --memory).',
    },
    run: (w) =>
      running(w)
        .filter((c) => !limits(c.resources.limits.memory?.value))
        .map((c) => ({
          message: `${workloadLabel(w)}: ${containerWord(c)} has no memory limit`,
          at: c.resources.limits.memory ?? missingField(w, c, F.memory),
        })),
  },
  {
    info: {
      id: 'BW-WL-019',
      title: 'No PIDs limit',
      severity: 'MEDIUM',
      stride: 'DenialOfService',
      attack: 'T1499',
      targets: ENGINE,
      description:
        "Without a PIDs limit a fork bomb in the container fills the host's process table and stops every other process from starting. (Kubernetes has no per-pod field for this: the kubelet's podPidsLimit, node configuration, sets it.)",
      remediation: 'Set pids_limit / deploy.resources.limits.pids (docker: --pids-limit), e.g. 256.',
    },
    run: (w) => {
      const p = w.pod.pidsLimit;
      if (p !== undefined && p.value > 0) return [];
      const c = w.pod.containers[0];
      const at = p ?? (c ? missingField(w, c, F.pids) : { field: w.pod.field });
      return [{ message: `${workloadLabel(w)} has no PIDs limit${p ? ` (${p.value} means unlimited)` : ''}`, at }];
    },
  },
  {
    info: {
      id: 'BW-WL-020',
      title: 'Port bound on the host',
      severity: 'MEDIUM',
      stride: 'InformationDisclosure',
      attack: 'T1599',
      targets: ALL,
      pss: { level: 'baseline', control: 'Host Ports' },
      description:
        "Kubernetes hostPort binds the port on the node's own addresses, outside Services and most network policies; Docker publishes ports on every host interface unless an address is given, past the host firewall's INPUT rules.",
      remediation:
        'Kubernetes: remove hostPort and use a Service. Docker/compose: bind to an address ("127.0.0.1:8080:80") or put the service behind a proxy.',
    },
    run: (w) =>
      allContainers(w.pod).flatMap((c) =>
        c.ports.flatMap((p): Hit[] => {
          const host = p.hostPort;
          if (w.target === 'kubernetes')
            return host && host.value > 0
              ? [
                  {
                    message: `${workloadLabel(w)}: ${containerWord(c)} binds host port ${host.value}`,
                    at: host,
                    evidence: `hostPort: ${host.value}`,
                  },
                ]
              : [];
          const ip = p.hostIP?.value ?? '';
          if (host === undefined || !['', '0.0.0.0', '::', '[::]'].includes(ip)) return [];
          const hp = host.value === 0 ? 'a random host port' : `host port ${host.value}`;
          return [
            {
              message: `${workloadLabel(w)}: ${containerWord(c)} publishes ${p.containerPort ? `port ${p.containerPort.value} on ` : ''}${hp} on all interfaces`,
              at: host,
              evidence: `${ip || '0.0.0.0'}:${host.value}`,
            },
          ];
        }),
      ),
  },
  {
    info: {
      id: 'BW-WL-021',
      title: 'Windows HostProcess container',
      severity: 'CRITICAL',
      stride: 'ElevationOfPrivilege',
      attack: 'T1611',
      targets: ['kubernetes'],
      pss: { level: 'baseline', control: 'HostProcess' },
      description:
        "A Windows HostProcess container runs directly on the node, in the host's network and with host filesystem access: the Windows equivalent of a privileged container.",
      remediation:
        'Remove windowsOptions.hostProcess: true (and hostNetwork) unless this is a reviewed node agent in a dedicated namespace.',
    },
    run: (w) => {
      const hits: Hit[] = [];
      const pod = w.pod.securityContext.windowsHostProcess;
      if (pod?.value === true)
        hits.push({
          message: `${workloadLabel(w)} runs HostProcess containers (pod securityContext)`,
          at: pod,
          evidence: 'hostProcess: true',
        });
      for (const c of allContainers(w.pod)) {
        const v = c.securityContext.windowsHostProcess;
        if (v?.value === true)
          hits.push({
            message: `${workloadLabel(w)}: ${containerWord(c)} is a HostProcess container`,
            at: v,
            evidence: 'hostProcess: true',
          });
      }
      return hits;
    },
  },
];

/** The catalog entries of every workload check (copies: callers may not change the table). */
export function workloadChecks(): CheckInfo[] {
  return CHECKS.map(({ info }) => ({
    ...info,
    targets: [...info.targets],
    ...(info.pss ? { pss: { ...info.pss } } : {}),
  }));
}

/** Results of every check that applies to the workload's kind of source. */
export function checkWorkload(w: Workload): CheckResult[] {
  const out: CheckResult[] = [];
  for (const { info, run } of CHECKS) {
    if (!info.targets.includes(w.target)) continue;
    const seen = new Set<string>();
    for (const hit of run(w)) {
      // one result per place: containers inheriting a pod-level setting share it
      const key = `${hit.at.field}\0${hit.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        checkId: info.id,
        severity: info.severity,
        title: info.title,
        message: hit.message,
        location: {
          path: w.source.file,
          ...(hit.at.line !== undefined ? { line: hit.at.line } : {}),
          ...(hit.at.field ? { field: hit.at.field } : {}),
        },
        ...(hit.evidence !== undefined ? { evidence: hit.evidence } : {}),
      });
    }
  }
  return out;
}
