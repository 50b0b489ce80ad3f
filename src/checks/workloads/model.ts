import type { CheckTarget } from '../check.js';

// One normalised model for everything that runs a container: a Kubernetes pod template, a
// docker-compose service and a Docker Engine container-create body all become a Workload whose
// `pod` mirrors the Kubernetes PodSpec fields the checks need. Every value keeps the field it
// was read from (as written in its document: "spec.template.spec.containers[0].securityContext.privileged",
// "services.web.privileged", "HostConfig.Privileged") and its line, so results point at it.
//
// Docker and compose have no pod: their one container is the pod's only container, their
// host-namespace and pids settings sit on the pod, bind mounts become hostPath volumes.

export type WorkloadTarget = Extract<CheckTarget, 'kubernetes' | 'compose' | 'docker-create'>;

/** Where a value is: its field path in the document (relative to the resource) and its line. */
export interface Place {
  field: string;
  line?: number;
}

/** A value as read, with where it was read. */
export interface Val<T> extends Place {
  value: T;
}

/** Security settings pods and containers share. `seccompProfile`/`appArmorProfile` hold the profile type. */
export interface SecurityContextLike {
  runAsNonRoot?: Val<boolean>;
  runAsUser?: Val<number>;
  runAsGroup?: Val<number>;
  /** "RuntimeDefault", "Localhost", "Unconfined". */
  seccompProfile?: Val<string>;
  /** "RuntimeDefault", "Localhost", "Unconfined". */
  appArmorProfile?: Val<string>;
  seLinuxOptions: { user?: Val<string>; role?: Val<string>; type?: Val<string>; level?: Val<string> };
  /** windowsOptions.hostProcess */
  windowsHostProcess?: Val<boolean>;
}

interface PodSecurityContextLike extends SecurityContextLike {
  /** sysctls[*].name */
  sysctls: Val<string>[];
}

export interface ContainerSecurityContextLike extends SecurityContextLike {
  privileged?: Val<boolean>;
  allowPrivilegeEscalation?: Val<boolean>;
  readOnlyRootFilesystem?: Val<boolean>;
  /** Capability names as written ("NET_ADMIN"; Docker also accepts "CAP_NET_ADMIN", "net_admin"). */
  capabilities: { add: Val<string>[]; drop: Val<string>[] };
  /** "Default" or "Unmasked" (Docker: security_opt systempaths=unconfined). */
  procMount?: Val<string>;
}

export interface PortLike extends Place {
  containerPort?: Val<number>;
  /** Host port; 0 means Docker picks one (still published on the host). */
  hostPort?: Val<number>;
  hostIP?: Val<string>;
  protocol?: string;
}

interface MountLike extends Place {
  /** The volume's name (Kubernetes) or the VolumeLike it refers to. */
  name: string;
  mountPath?: string;
  readOnly: boolean;
}

export type ContainerRole = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ContainerLike extends Place {
  role: ContainerRole;
  name: string;
  image?: Val<string>;
  securityContext: ContainerSecurityContextLike;
  resources: {
    limits: { cpu?: Val<string | number>; memory?: Val<string | number> };
    requests: { cpu?: Val<string | number>; memory?: Val<string | number> };
  };
  ports: PortLike[];
  volumeMounts: MountLike[];
  /** `host` of probes and lifecycle handlers (httpGet.host, tcpSocket.host), as written. */
  probeHosts: Val<string>[];
  /** Docker/compose `user` as written ("1000:1000", "app", "root"); numeric parts also set runAsUser/runAsGroup. */
  user?: Val<string>;
}

export interface VolumeLike extends Place {
  name: string;
  /** The Kubernetes volume source ("hostPath", "configMap", …); Docker: "hostPath" for binds, "volume", "tmpfs", "npipe". */
  type: string;
  hostPath?: { path: Val<string>; type?: Val<string> };
}

export interface PodLike extends Place {
  /** spec.os.name ("linux", "windows") */
  os?: Val<string>;
  hostNetwork?: Val<boolean>;
  hostPID?: Val<boolean>;
  hostIPC?: Val<boolean>;
  /** Kubernetes spec.hostUsers; Docker/compose userns_mode "host" reads as true. */
  hostUsers?: Val<boolean>;
  securityContext: PodSecurityContextLike;
  /** The pod's metadata.annotations (a controller's pod template's). */
  annotations: ReadonlyMap<string, Val<string>>;
  volumes: VolumeLike[];
  containers: ContainerLike[];
  initContainers: ContainerLike[];
  ephemeralContainers: ContainerLike[];
  /** Docker/compose only: Kubernetes has no pod field for it (the kubelet's podPidsLimit is node configuration). */
  pidsLimit?: Val<number>;
}

export interface Workload {
  target: WorkloadTarget;
  /** "Deployment", "CronJob", "Pod", …; "ComposeService"; "DockerContainer". */
  kind: string;
  name: string;
  namespace?: string;
  source: { file: string; line?: number };
  pod: PodLike;
}

/** A resource or file that was read but holds nothing to check, and why. */
export interface Skipped {
  file: string;
  line?: number;
  kind?: string;
  name?: string;
  reason: string;
}

export interface ParsedWorkloads {
  workloads: Workload[];
  skipped: Skipped[];
}

/** Containers, init containers and ephemeral containers, in that order. */
export function allContainers(pod: PodLike): ContainerLike[] {
  return [...pod.containers, ...pod.initContainers, ...pod.ephemeralContainers];
}

/** "Deployment/web" */
export function workloadLabel(w: Workload): string {
  return `${w.kind}/${w.name}`;
}

export function emptySecurityContext(): ContainerSecurityContextLike {
  return { seLinuxOptions: {}, capabilities: { add: [], drop: [] } };
}

/** Names of a field in each source format, for results about a value that is missing. */
export interface FieldNames {
  /** Below the container: "securityContext.readOnlyRootFilesystem". */
  kubernetes: string;
  /** Below the service: "read_only". */
  compose: string;
  /** From the body's top: "HostConfig.ReadonlyRootfs". */
  docker: string;
}

/** Where a missing container setting belongs, on the container's line. */
export function missingField(w: Workload, c: ContainerLike, names: FieldNames): Place {
  const sub = w.target === 'kubernetes' ? names.kubernetes : w.target === 'compose' ? names.compose : undefined;
  const field = sub === undefined ? names.docker : c.field ? `${c.field}.${sub}` : sub;
  return c.line === undefined ? { field } : { field, line: c.line };
}

/** `container "web"`, `init container "setup"`, `ephemeral container "debug"` */
export function containerWord(c: ContainerLike): string {
  const role =
    c.role === 'initContainer'
      ? 'init container'
      : c.role === 'ephemeralContainer'
        ? 'ephemeral container'
        : 'container';
  return `${role} ${JSON.stringify(c.name)}`;
}

/** Capability names as the kernel knows them: Docker also takes "cap_sys_admin" and "sys_admin". */
export function capabilityName(name: string): string {
  const up = name.trim().toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}
