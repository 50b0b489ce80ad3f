import { z } from 'zod';
import type {
  ContainerLike,
  ContainerRole,
  ParsedWorkloads,
  PodLike,
  Skipped,
  Val,
  VolumeLike,
  Workload,
} from './model.js';
import {
  Locator,
  isMapping,
  own,
  ownEntries,
  readYamlDocuments,
  validate,
  type Path,
  type SourceDoc,
} from './source.js';

// Kubernetes manifests: multi-document YAML or JSON, `kind: List` (and *List) included. Pods and
// every controller that embeds a pod template become Workloads; other kinds are skipped with a
// reason. Only the PodSpec fields the checks read are validated (wrong types are errors, as the
// API server would reject them); everything else is ignored.

/** Where each kind keeps its pod template (metadata + spec); a Pod is its own template. */
const TEMPLATES = new Map<string, Path>([
  ['Pod', []],
  ['PodTemplate', ['template']],
  ['Deployment', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']],
  ['StatefulSet', ['spec', 'template']],
  ['DaemonSet', ['spec', 'template']],
  ['Job', ['spec', 'template']],
  ['ReplicationController', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

export const WORKLOAD_KINDS: readonly string[] = [...TEMPLATES.keys()];

const MAX_LIST_DEPTH = 4;

const bool = z.boolean().nullish();
const str = z.string().nullish();
const int = z.number().int().nullish();
const strList = z.array(z.string()).nullish();
const quantity = z.union([z.string(), z.number()]).nullish();
const Profile = z.object({ type: str, localhostProfile: str }).nullish();
const SELinux = z.object({ user: str, role: str, type: str, level: str }).nullish();
const WindowsOptions = z.object({ hostProcess: bool }).nullish();
const HostOnly = z.object({ host: str }).nullish();
const Handler = z.object({ httpGet: HostOnly, tcpSocket: HostOnly }).nullish();
const Quantities = z.object({ cpu: quantity, memory: quantity }).nullish();

const ContainerSecurityContext = z
  .object({
    privileged: bool,
    allowPrivilegeEscalation: bool,
    runAsNonRoot: bool,
    runAsUser: int,
    runAsGroup: int,
    readOnlyRootFilesystem: bool,
    capabilities: z.object({ add: strList, drop: strList }).nullish(),
    seccompProfile: Profile,
    appArmorProfile: Profile,
    seLinuxOptions: SELinux,
    procMount: str,
    windowsOptions: WindowsOptions,
  })
  .nullish();

const Container = z.object({
  name: str,
  image: str,
  securityContext: ContainerSecurityContext,
  resources: z.object({ limits: Quantities, requests: Quantities }).nullish(),
  ports: z.array(z.object({ containerPort: int, hostPort: int, hostIP: str, protocol: str })).nullish(),
  volumeMounts: z.array(z.object({ name: str, mountPath: str, readOnly: bool })).nullish(),
  livenessProbe: Handler,
  readinessProbe: Handler,
  startupProbe: Handler,
  lifecycle: z.object({ postStart: Handler, preStop: Handler }).nullish(),
});
type ContainerT = z.infer<typeof Container>;

const PodSpec = z.object({
  os: z.object({ name: str }).nullish(),
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  hostUsers: bool,
  securityContext: z
    .object({
      runAsNonRoot: bool,
      runAsUser: int,
      runAsGroup: int,
      seccompProfile: Profile,
      appArmorProfile: Profile,
      seLinuxOptions: SELinux,
      windowsOptions: WindowsOptions,
      sysctls: z.array(z.object({ name: z.string(), value: str })).nullish(),
    })
    .nullish(),
  volumes: z.array(z.object({ name: str, hostPath: z.object({ path: z.string(), type: str }).nullish() })).nullish(),
  containers: z.array(Container).nullish(),
  initContainers: z.array(Container).nullish(),
  ephemeralContainers: z.array(Container).nullish(),
});

const Metadata = z.object({ name: str, generateName: str, namespace: str }).nullish();

/** An object with string apiVersion and kind. */
export function isKubernetesObject(v: unknown): v is Record<string, unknown> {
  return typeof own(v, 'apiVersion') === 'string' && typeof own(v, 'kind') === 'string';
}

function seLinux(loc: Locator, s: z.infer<typeof SELinux>): PodLike['securityContext']['seLinuxOptions'] {
  const at = loc.at('seLinuxOptions');
  const out: PodLike['securityContext']['seLinuxOptions'] = {};
  for (const k of ['user', 'role', 'type', 'level'] as const) {
    const v = at.val(s?.[k], k);
    if (v) out[k] = v;
  }
  return out;
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function container(c: ContainerT, role: ContainerRole, index: number, loc: Locator): ContainerLike {
  const sc = c.securityContext;
  const scl = loc.at('securityContext');
  const probeHosts: Val<string>[] = [];
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    for (const kind of ['httpGet', 'tcpSocket'] as const) {
      const v = loc.val(c[probe]?.[kind]?.host, probe, kind, 'host');
      if (v) probeHosts.push(v);
    }
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    for (const kind of ['httpGet', 'tcpSocket'] as const) {
      const v = loc.val(c.lifecycle?.[hook]?.[kind]?.host, 'lifecycle', hook, kind, 'host');
      if (v) probeHosts.push(v);
    }
  }
  const quantities = (which: 'limits' | 'requests') =>
    defined({
      cpu: loc.val(c.resources?.[which]?.cpu, 'resources', which, 'cpu'),
      memory: loc.val(c.resources?.[which]?.memory, 'resources', which, 'memory'),
    });
  return defined({
    ...loc.place(),
    role,
    name: c.name ?? `#${index}`,
    image: loc.val(c.image, 'image'),
    securityContext: defined({
      privileged: scl.val(sc?.privileged, 'privileged'),
      allowPrivilegeEscalation: scl.val(sc?.allowPrivilegeEscalation, 'allowPrivilegeEscalation'),
      runAsNonRoot: scl.val(sc?.runAsNonRoot, 'runAsNonRoot'),
      runAsUser: scl.val(sc?.runAsUser, 'runAsUser'),
      runAsGroup: scl.val(sc?.runAsGroup, 'runAsGroup'),
      readOnlyRootFilesystem: scl.val(sc?.readOnlyRootFilesystem, 'readOnlyRootFilesystem'),
      capabilities: {
        add: (sc?.capabilities?.add ?? []).map((v, i) => scl.val(v, 'capabilities', 'add', i)!),
        drop: (sc?.capabilities?.drop ?? []).map((v, i) => scl.val(v, 'capabilities', 'drop', i)!),
      },
      seccompProfile: scl.val(sc?.seccompProfile?.type, 'seccompProfile', 'type'),
      appArmorProfile: scl.val(sc?.appArmorProfile?.type, 'appArmorProfile', 'type'),
      seLinuxOptions: seLinux(scl, sc?.seLinuxOptions),
      procMount: scl.val(sc?.procMount, 'procMount'),
      windowsHostProcess: scl.val(sc?.windowsOptions?.hostProcess, 'windowsOptions', 'hostProcess'),
    }),
    resources: { limits: quantities('limits'), requests: quantities('requests') },
    ports: (c.ports ?? []).map((p, i) => {
      const pl = loc.at('ports', i);
      return defined({
        ...pl.place(),
        containerPort: pl.val(p.containerPort, 'containerPort'),
        hostPort: pl.val(p.hostPort, 'hostPort'),
        hostIP: pl.val(p.hostIP, 'hostIP'),
        protocol: p.protocol ?? undefined,
      });
    }),
    volumeMounts: (c.volumeMounts ?? []).map((m, i) =>
      defined({
        ...loc.place('volumeMounts', i),
        name: m.name ?? '',
        mountPath: m.mountPath ?? undefined,
        readOnly: m.readOnly === true,
      }),
    ),
    probeHosts,
  });
}

/** The volume source: the first key besides `name` with a value; the API server defaults an empty volume to emptyDir. */
function volumeType(raw: unknown): string {
  for (const [k, v] of ownEntries(raw)) if (k !== 'name' && v !== null && v !== undefined) return k;
  return 'emptyDir';
}

/** Reads a pod template (metadata + spec) found at `tpl`. */
function podFrom(raw: unknown, tpl: Locator): PodLike {
  const metaRaw = own(raw, 'metadata');
  const specRaw = own(raw, 'spec');
  const spec = validate(PodSpec, specRaw ?? {}, tpl.at('spec'));
  const sl = tpl.at('spec');
  const scl = sl.at('securityContext');
  const sc = spec.securityContext;
  const annotations = new Map<string, Val<string>>();
  const al = tpl.at('metadata', 'annotations');
  for (const [k, v] of ownEntries(own(metaRaw, 'annotations')))
    if (typeof v === 'string') annotations.set(k, al.val(v, k)!);
  const rawVolumes = own(specRaw, 'volumes');
  const volumes: VolumeLike[] = (spec.volumes ?? []).map((v, i) => {
    const vl = sl.at('volumes', i);
    const type = volumeType(Array.isArray(rawVolumes) ? rawVolumes[i] : undefined);
    return defined({
      ...vl.place(),
      name: v.name ?? `#${i}`,
      type,
      hostPath: v.hostPath
        ? defined({
            path: vl.val(v.hostPath.path, 'hostPath', 'path')!,
            type: vl.val(v.hostPath.type, 'hostPath', 'type'),
          })
        : undefined,
    });
  });
  const containers = (key: 'containers' | 'initContainers' | 'ephemeralContainers', role: ContainerRole) =>
    (spec[key] ?? []).map((c, i) => container(c, role, i, sl.at(key, i)));
  return defined({
    ...sl.place(),
    os: sl.val(spec.os?.name, 'os', 'name'),
    hostNetwork: sl.val(spec.hostNetwork, 'hostNetwork'),
    hostPID: sl.val(spec.hostPID, 'hostPID'),
    hostIPC: sl.val(spec.hostIPC, 'hostIPC'),
    hostUsers: sl.val(spec.hostUsers, 'hostUsers'),
    securityContext: defined({
      runAsNonRoot: scl.val(sc?.runAsNonRoot, 'runAsNonRoot'),
      runAsUser: scl.val(sc?.runAsUser, 'runAsUser'),
      runAsGroup: scl.val(sc?.runAsGroup, 'runAsGroup'),
      seccompProfile: scl.val(sc?.seccompProfile?.type, 'seccompProfile', 'type'),
      appArmorProfile: scl.val(sc?.appArmorProfile?.type, 'appArmorProfile', 'type'),
      seLinuxOptions: seLinux(scl, sc?.seLinuxOptions),
      windowsHostProcess: scl.val(sc?.windowsOptions?.hostProcess, 'windowsOptions', 'hostProcess'),
      sysctls: (sc?.sysctls ?? []).map((s, i) => scl.val(s.name, 'sysctls', i, 'name')!),
    }),
    annotations,
    volumes,
    containers: containers('containers', 'container'),
    initContainers: containers('initContainers', 'initContainer'),
    ephemeralContainers: containers('ephemeralContainers', 'ephemeralContainer'),
  });
}

function object(value: unknown, doc: SourceDoc, abs: Path, depth: number, out: ParsedWorkloads): void {
  const file = doc.file;
  const line = doc.lineOf(abs);
  const at = (s: Omit<Skipped, 'file' | 'line'>): Skipped => ({ file, ...(line ? { line } : {}), ...s });
  if (!isKubernetesObject(value)) {
    out.skipped.push(at({ reason: 'not a Kubernetes object (no apiVersion and kind)' }));
    return;
  }
  const kind = value.kind as string;
  const loc0 = new Locator(doc, abs, [], kind);
  const meta = validate(Metadata, own(value, 'metadata'), loc0.at('metadata'));
  const name = meta?.name ?? (meta?.generateName ? `${meta.generateName}*` : '(unnamed)');
  const items = own(value, 'items');
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(items)) {
    if (depth >= MAX_LIST_DEPTH) {
      out.skipped.push(at({ kind, name, reason: `lists nested deeper than ${MAX_LIST_DEPTH}` }));
      return;
    }
    items.forEach((item, i) => object(item, doc, [...abs, 'items', i], depth + 1, out));
    return;
  }
  const tplPath = TEMPLATES.get(kind);
  if (!tplPath) {
    out.skipped.push(at({ kind, name, reason: 'kind has no pod template' }));
    return;
  }
  const loc = new Locator(doc, abs, [], `${kind}/${name}`);
  let tpl: unknown = value;
  for (const seg of tplPath) tpl = own(tpl, seg as string);
  if (tplPath.length > 0 && !isMapping(tpl)) {
    if (tpl === undefined || tpl === null) {
      out.skipped.push(at({ kind, name, reason: `no pod template at ${tplPath.join('.')}` }));
      return;
    }
    loc.fail(tplPath, 'expected a mapping (the pod template)');
  }
  if (!isMapping(own(tpl, 'metadata') ?? {})) loc.at(...tplPath).fail(['metadata'], 'expected a mapping');
  const pod = podFrom(tpl, loc.at(...tplPath));
  const w: Workload = {
    target: 'kubernetes',
    kind,
    name,
    ...(meta?.namespace ? { namespace: meta.namespace } : {}),
    source: { file, ...(line ? { line } : {}) },
    pod,
  };
  out.workloads.push(w);
}

/** Workloads in already-read documents (see readYamlDocuments / readJsonDocument). */
export function kubernetesFromDocuments(docs: readonly SourceDoc[]): ParsedWorkloads {
  const out: ParsedWorkloads = { workloads: [], skipped: [] };
  for (const doc of docs) object(doc.value, doc, [], 0, out);
  return out;
}

/** Parses a Kubernetes manifest file's text (YAML stream or JSON). */
export function parseKubernetes(text: string, file: string): ParsedWorkloads {
  return kubernetesFromDocuments(readYamlDocuments(text, file));
}
