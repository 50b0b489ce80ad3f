import { z } from 'zod';
import type { ParsedWorkloads, Val, Workload } from './model.js';
import {
  addVolume,
  applySecurityOpts,
  applyUser,
  isHostMode,
  isHostSource,
  newContainer,
  newPod,
  parsePortSpec,
  splitVolumeSpec,
} from './engine.js';
import { Locator, isMapping, own, ownEntries, readYamlDocuments, validate, type SourceDoc } from './source.js';

// docker-compose files (the Compose Specification): each service becomes a Workload with one
// container. Values compose may interpolate ("${PRIVILEGED:-false}") are read when they are
// literal and otherwise left unset.

const str = z.string().nullish();
const boolish = z.union([z.boolean(), z.string()]).nullish();
const numish = z.union([z.number(), z.string()]).nullish();
const strList = z.array(z.string()).nullish();

const Service = z.object({
  image: str,
  privileged: boolish,
  read_only: boolish,
  network_mode: str,
  pid: str,
  ipc: str,
  userns_mode: str,
  user: z.union([z.string(), z.number()]).nullish(),
  cap_add: strList,
  cap_drop: strList,
  security_opt: strList,
  volumes: z
    .array(z.union([z.string(), z.object({ type: str, source: str, target: str, read_only: boolish })]))
    .nullish(),
  ports: z
    .array(
      z.union([z.string(), z.number(), z.object({ target: numish, published: numish, host_ip: str, protocol: str })]),
    )
    .nullish(),
  mem_limit: numish,
  cpus: numish,
  cpu_quota: numish,
  pids_limit: numish,
  deploy: z
    .object({
      resources: z.object({ limits: z.object({ cpus: numish, memory: numish, pids: numish }).nullish() }).nullish(),
    })
    .nullish(),
});

const TopVolume = z.object({ driver_opts: z.object({ type: str, o: str, device: str }).nullish() }).nullish();

/** A mapping with a `services` mapping (and no Kubernetes apiVersion/kind). */
export function isComposeDocument(v: unknown): boolean {
  return isMapping(own(v, 'services')) && own(v, 'kind') === undefined;
}

function boolOf(v: boolean | string | null | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

function intOf(v: number | string | null | undefined): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  return typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined;
}

/** Named volumes declared as bind mounts: `driver_opts: { type: none, o: bind, device: /path }`. */
function boundVolumes(doc: SourceDoc, top: Locator): Map<string, Val<string>> {
  const out = new Map<string, Val<string>>();
  for (const [name, raw] of ownEntries(own(doc.value, 'volumes'))) {
    const loc = top.at('volumes', name);
    const v = validate(TopVolume, raw, loc);
    const o = v?.driver_opts;
    if (o?.device && (o.o ?? '').split(',').some((x) => x.trim() === 'bind'))
      out.set(name, loc.val(o.device, 'driver_opts', 'device')!);
  }
  return out;
}

function service(name: string, raw: unknown, loc: Locator, binds: Map<string, Val<string>>, doc: SourceDoc): Workload {
  const s = validate(Service, raw ?? {}, loc);
  const pod = newPod(loc);
  const c = newContainer(name, loc);
  pod.containers.push(c);
  const sc = c.securityContext;
  const bool = (v: boolean | string | null | undefined, key: string): Val<boolean> | undefined => {
    const b = boolOf(v);
    return b === undefined ? undefined : loc.val(b, key);
  };
  if (s.image) c.image = loc.val(s.image, 'image')!;
  const privileged = bool(s.privileged, 'privileged');
  if (privileged) sc.privileged = privileged;
  const ro = bool(s.read_only, 'read_only');
  if (ro) sc.readOnlyRootFilesystem = ro;
  if (isHostMode(s.network_mode)) pod.hostNetwork = loc.val(true, 'network_mode');
  if (isHostMode(s.pid)) pod.hostPID = loc.val(true, 'pid');
  if (isHostMode(s.ipc)) pod.hostIPC = loc.val(true, 'ipc');
  if (isHostMode(s.userns_mode)) pod.hostUsers = loc.val(true, 'userns_mode');
  if (s.user !== null && s.user !== undefined) applyUser(c, String(s.user), loc.at('user'));
  sc.capabilities.add = (s.cap_add ?? []).map((v, i) => loc.val(v, 'cap_add', i)!);
  sc.capabilities.drop = (s.cap_drop ?? []).map((v, i) => loc.val(v, 'cap_drop', i)!);
  applySecurityOpts(sc, s.security_opt ?? [], loc.at('security_opt'));

  (s.volumes ?? []).forEach((v, i) => {
    const vl = loc.at('volumes', i);
    let type: string;
    let source: string | undefined;
    let target: string | undefined;
    let readOnly = false;
    if (typeof v === 'string') {
      const parts = splitVolumeSpec(v);
      if (parts.length === 1) [target] = parts;
      else [source, target] = parts;
      readOnly = (parts[2] ?? '').split(',').includes('ro');
      type = source === undefined ? 'volume' : isHostSource(source) ? 'bind' : 'volume';
    } else {
      type = v.type ?? 'volume';
      source = v.source ?? undefined;
      target = v.target ?? undefined;
      readOnly = boolOf(v.read_only) === true;
    }
    const bound = type === 'volume' && source !== undefined ? binds.get(source) : undefined;
    if (type === 'bind' || type === 'npipe') {
      const path = typeof v === 'string' ? vl.val(source ?? '')! : vl.val(source ?? '', 'source')!;
      addVolume(
        pod,
        c,
        { ...vl.place(), name: path.value, type: type === 'bind' ? 'hostPath' : 'npipe', hostPath: { path } },
        target,
        readOnly,
      );
    } else if (bound) {
      addVolume(pod, c, { ...vl.place(), name: source, type: 'hostPath', hostPath: { path: bound } }, target, readOnly);
    } else {
      addVolume(pod, c, { ...vl.place(), ...(source ? { name: source } : {}), type }, target, readOnly);
    }
  });

  (s.ports ?? []).forEach((p, i) => {
    const pl = loc.at('ports', i);
    if (typeof p === 'string' || typeof p === 'number') {
      const port = parsePortSpec(String(p), pl);
      if (port) c.ports.push(port);
      return;
    }
    const target = intOf(p.target);
    const published =
      p.published === null || p.published === undefined
        ? 0
        : intOf(typeof p.published === 'string' ? p.published.split('-')[0]! : p.published);
    c.ports.push({
      ...pl.place(),
      ...(target !== undefined ? { containerPort: pl.val(target, 'target')! } : {}),
      ...(published !== undefined
        ? { hostPort: pl.val(published, p.published === null || p.published === undefined ? 'target' : 'published')! }
        : {}),
      ...(p.host_ip ? { hostIP: pl.val(p.host_ip, 'host_ip')! } : {}),
      ...(p.protocol ? { protocol: p.protocol } : {}),
    });
  });

  const lim = s.deploy?.resources?.limits;
  const limitsAt = ['deploy', 'resources', 'limits'];
  const memory = lim?.memory != null ? loc.val(lim.memory, ...limitsAt, 'memory') : loc.val(s.mem_limit, 'mem_limit');
  if (memory) c.resources.limits.memory = memory;
  const cpu =
    lim?.cpus != null
      ? loc.val(lim.cpus, ...limitsAt, 'cpus')
      : s.cpus != null
        ? loc.val(s.cpus, 'cpus')
        : loc.val(s.cpu_quota, 'cpu_quota');
  if (cpu) c.resources.limits.cpu = cpu;
  const pids = lim?.pids != null ? intOf(lim.pids) : intOf(s.pids_limit);
  if (pids !== undefined)
    pod.pidsLimit = lim?.pids != null ? loc.val(pids, ...limitsAt, 'pids')! : loc.val(pids, 'pids_limit')!;

  // sysctls: a mapping or a list of "name=value"
  const sysctls = own(raw, 'sysctls');
  if (Array.isArray(sysctls)) {
    sysctls.forEach((e, i) => {
      if (typeof e === 'string') pod.securityContext.sysctls.push(loc.val(e.split('=')[0]!.trim(), 'sysctls', i)!);
    });
  } else {
    for (const [k] of ownEntries(sysctls)) pod.securityContext.sysctls.push(loc.val(k, 'sysctls', k)!);
  }
  const line = doc.lineOf(loc.abs);
  return {
    target: 'compose',
    kind: 'ComposeService',
    name,
    source: { file: doc.file, ...(line ? { line } : {}) },
    pod,
  };
}

/** Services of an already-read compose document. */
export function composeFromDocument(doc: SourceDoc): ParsedWorkloads {
  const top = new Locator(doc, [], [], '');
  if (!isMapping(doc.value)) top.fail([], 'expected a compose file (a mapping with services)');
  const services = own(doc.value, 'services');
  if (!isMapping(services))
    return top.fail(['services'], services === undefined ? 'required field missing' : 'expected a mapping of services');
  const binds = boundVolumes(doc, top);
  const out: ParsedWorkloads = { workloads: [], skipped: [] };
  for (const [name, raw] of ownEntries(services)) {
    const loc = new Locator(doc, ['services', name], ['services', name], `service ${name}`);
    if (raw !== null && !isMapping(raw)) loc.fail([], 'expected a mapping');
    out.workloads.push(service(name, raw, loc, binds, doc));
  }
  return out;
}

/** Parses a compose file's text; its first document holds the services. */
export function parseCompose(text: string, file: string): ParsedWorkloads {
  const docs = readYamlDocuments(text, file);
  const first = docs[0];
  if (!first) return { workloads: [], skipped: [{ file, reason: 'empty compose file' }] };
  return composeFromDocument(first);
}
