import type { ContainerInspect } from '../engine/schema.js';
import type { RuntimeFactsReport } from '../events/server-api.js';

// How a container runs, from the Engine's inspect, in the shape the server ranks risk by:
// published ports, privileges, added capabilities, host namespaces and host bind mounts.

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function publishedPorts(raw: ContainerInspect): RuntimeFactsReport['publishedPorts'] {
  const out: RuntimeFactsReport['publishedPorts'] = [];
  for (const [key, bindings] of Object.entries(raw.NetworkSettings?.Ports ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    if (!bindings || !Number.isInteger(containerPort) || !PROTOCOLS.has(proto)) continue;
    for (const b of bindings) {
      const hostPort = Number(b.HostPort);
      if (!Number.isInteger(hostPort)) continue;
      out.push({ containerPort, protocol: proto as 'tcp' | 'udp' | 'sctp', hostIp: b.HostIp, hostPort });
    }
  }
  return out;
}

export function runtimeFactsOf(raw: ContainerInspect): RuntimeFactsReport {
  const h = raw.HostConfig;
  return {
    publishedPorts: publishedPorts(raw),
    privileged: h?.Privileged ?? false,
    user: raw.Config?.User ?? '',
    capAdd: [...(h?.CapAdd ?? [])],
    hostNetwork: h?.NetworkMode === 'host',
    hostPid: h?.PidMode === 'host',
    hostIpc: h?.IpcMode === 'host',
    hostMounts: (raw.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => ({ source: m.Source, readOnly: !m.RW })),
  };
}
