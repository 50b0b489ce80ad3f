import { basename, extname } from 'node:path';
import { z } from 'zod';
import type { Workload } from './model.js';
import {
  addVolume,
  applySecurityOpts,
  applyUser,
  isHostMode,
  isHostSource,
  newContainer,
  newPod,
  splitVolumeSpec,
} from './engine.js';
import { Locator, isMapping, own, ownEntries, readJsonDocument, validate, type SourceDoc } from './source.js';

// Docker Engine API `POST /containers/create` bodies (what `docker run` sends, what an
// authorization plugin sees): the container's HostConfig becomes one Workload. The container
// name is a query parameter, not part of the body: the caller names it (default: the file name).

const str = z.string().nullish();
const bool = z.boolean().nullish();
const int = z.number().int().nullish();

const HostConfig = z.object({
  Privileged: bool,
  NetworkMode: str,
  PidMode: str,
  IpcMode: str,
  UsernsMode: str,
  Binds: z.array(z.string()).nullish(),
  Mounts: z.array(z.object({ Type: str, Source: str, Target: str, ReadOnly: bool })).nullish(),
  CapAdd: z.array(z.string()).nullish(),
  CapDrop: z.array(z.string()).nullish(),
  SecurityOpt: z.array(z.string()).nullish(),
  ReadonlyRootfs: bool,
  Memory: int,
  NanoCpus: int,
  CpuQuota: int,
  PidsLimit: int,
  PublishAllPorts: bool,
});

const Body = z.object({
  Image: str,
  User: str,
  HostConfig: HostConfig.nullish(),
});

const PortBinding = z.array(z.object({ HostIp: str, HostPort: str })).nullish();

/** A JSON object with a HostConfig mapping (and no Kubernetes apiVersion/kind). */
export function isDockerCreateBody(v: unknown): boolean {
  return isMapping(own(v, 'HostConfig')) && own(v, 'kind') === undefined;
}

function portKey(key: string): { port?: number; protocol?: string } {
  const m = /^(\d{1,5})(?:-\d{1,5})?(?:\/(\w+))?$/.exec(key.trim());
  return m ? { port: Number(m[1]), ...(m[2] ? { protocol: m[2] } : {}) } : {};
}

/** The Workload of an already-read create body. */
export function dockerCreateFromDocument(doc: SourceDoc, name?: string): Workload {
  const cname = name ?? basename(doc.file, extname(doc.file));
  const top = new Locator(doc, [], [], `container ${cname}`);
  if (!isMapping(doc.value)) top.fail([], 'expected a JSON object (a container-create body)');
  const body = validate(Body, doc.value, top);
  const hl = top.at('HostConfig');
  const h = body.HostConfig ?? {};
  const pod = newPod(hl);
  const c = newContainer(cname, top);
  pod.containers.push(c);
  const sc = c.securityContext;
  if (body.Image) c.image = top.val(body.Image, 'Image')!;
  if (body.User) applyUser(c, body.User, top.at('User'));
  if (typeof h.Privileged === 'boolean') sc.privileged = hl.val(h.Privileged, 'Privileged')!;
  if (typeof h.ReadonlyRootfs === 'boolean') sc.readOnlyRootFilesystem = hl.val(h.ReadonlyRootfs, 'ReadonlyRootfs')!;
  if (isHostMode(h.NetworkMode)) pod.hostNetwork = hl.val(true, 'NetworkMode');
  if (isHostMode(h.PidMode)) pod.hostPID = hl.val(true, 'PidMode');
  if (isHostMode(h.IpcMode)) pod.hostIPC = hl.val(true, 'IpcMode');
  if (isHostMode(h.UsernsMode)) pod.hostUsers = hl.val(true, 'UsernsMode');
  sc.capabilities.add = (h.CapAdd ?? []).map((v, i) => hl.val(v, 'CapAdd', i)!);
  sc.capabilities.drop = (h.CapDrop ?? []).map((v, i) => hl.val(v, 'CapDrop', i)!);
  applySecurityOpts(sc, h.SecurityOpt ?? [], hl.at('SecurityOpt'));

  (h.Binds ?? []).forEach((spec, i) => {
    const bl = hl.at('Binds', i);
    const [src, dst, mode] = splitVolumeSpec(spec);
    const readOnly = (mode ?? '').split(',').includes('ro');
    if (src !== undefined && dst !== undefined && isHostSource(src))
      addVolume(
        pod,
        c,
        { ...bl.place(), name: src, type: 'hostPath', hostPath: { path: bl.val(src)! } },
        dst,
        readOnly,
      );
    else
      addVolume(
        pod,
        c,
        { ...bl.place(), ...(dst !== undefined && src ? { name: src } : {}), type: 'volume' },
        dst ?? src,
        readOnly,
      );
  });
  (h.Mounts ?? []).forEach((m, i) => {
    const ml = hl.at('Mounts', i);
    const type = (m.Type ?? 'volume').toLowerCase();
    const target = m.Target ?? undefined;
    if ((type === 'bind' || type === 'npipe') && m.Source) {
      addVolume(
        pod,
        c,
        {
          ...ml.place(),
          name: m.Source,
          type: type === 'bind' ? 'hostPath' : 'npipe',
          hostPath: { path: ml.val(m.Source, 'Source')! },
        },
        target,
        m.ReadOnly === true,
      );
    } else
      addVolume(pod, c, { ...ml.place(), ...(m.Source ? { name: m.Source } : {}), type }, target, m.ReadOnly === true);
  });

  // zero means unlimited; kept so results point at the field
  if (typeof h.Memory === 'number') c.resources.limits.memory = hl.val(h.Memory, 'Memory')!;
  if (h.NanoCpus) c.resources.limits.cpu = hl.val(h.NanoCpus / 1e9, 'NanoCpus')!;
  else if (h.CpuQuota) c.resources.limits.cpu = hl.val(h.CpuQuota, 'CpuQuota')!;
  else if (typeof h.NanoCpus === 'number') c.resources.limits.cpu = hl.val(h.NanoCpus, 'NanoCpus')!;
  if (typeof h.PidsLimit === 'number') pod.pidsLimit = hl.val(h.PidsLimit, 'PidsLimit')!;

  // PortBindings: { "80/tcp": [{ HostIp, HostPort }] }; an empty HostPort lets Docker pick one
  const bindings = own(own(doc.value, 'HostConfig'), 'PortBindings');
  if (bindings !== undefined && bindings !== null && !isMapping(bindings))
    hl.fail(['PortBindings'], 'expected a mapping');
  for (const [key, raw] of ownEntries(bindings)) {
    const list = validate(PortBinding, raw, hl.at('PortBindings', key)) ?? [];
    const { port, protocol } = portKey(key);
    list.forEach((b, i) => {
      const pl = hl.at('PortBindings', key, i);
      const host = b.HostPort && /^\d{1,5}/.test(b.HostPort) ? Number(/^\d{1,5}/.exec(b.HostPort)![0]) : 0;
      c.ports.push({
        ...pl.place(),
        ...(port !== undefined ? { containerPort: pl.val(port)! } : {}),
        hostPort: pl.val(host, ...(b.HostPort ? ['HostPort'] : []))!,
        ...(b.HostIp ? { hostIP: pl.val(b.HostIp, 'HostIp')! } : {}),
        ...(protocol ? { protocol } : {}),
      });
    });
  }
  // PublishAllPorts publishes every exposed port on a random host port, on all interfaces
  if (h.PublishAllPorts) {
    for (const [key] of ownEntries(own(doc.value, 'ExposedPorts'))) {
      const { port, protocol } = portKey(key);
      if (port === undefined || c.ports.some((p) => p.containerPort?.value === port)) continue;
      const place = hl.place('PublishAllPorts');
      c.ports.push({
        ...place,
        containerPort: { value: port, ...place },
        hostPort: { value: 0, ...place },
        ...(protocol ? { protocol } : {}),
      });
    }
  }
  for (const [k] of ownEntries(own(own(doc.value, 'HostConfig'), 'Sysctls')))
    pod.securityContext.sysctls.push(hl.val(k, 'Sysctls', k)!);

  return {
    target: 'docker-create',
    kind: 'DockerContainer',
    name: cname,
    source: { file: doc.file, ...(doc.line ? { line: doc.line } : {}) },
    pod,
  };
}

/** Parses a container-create body (JSON). `name` is the container's name (default: the file's base name). */
export function parseDockerCreate(text: string, file: string, name?: string): Workload {
  return dockerCreateFromDocument(readJsonDocument(text, file), name);
}
