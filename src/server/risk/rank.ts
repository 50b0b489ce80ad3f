import type { Severity } from '../../core/types.js';

// Running containers ranked by risk: what their image's vulnerabilities weigh, multiplied by
// how reachable the container is and how much it may do on its host. Pure: the caller
// gathers findings (store) and runtime facts (agent's inspect). The formula is in readme.md.

export interface RiskFinding {
  id: string;
  severity: Severity;
  /** A fixed version exists (Finding.status 'fixed'). */
  fixable: boolean;
}

interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Host address it is bound to ("0.0.0.0", "::", "127.0.0.1"). */
  hostIp: string;
  hostPort: number;
}

/** What Docker's inspect says about a container (HostConfig, Config, NetworkSettings). */
export interface RuntimeFacts {
  publishedPorts: readonly PublishedPort[];
  privileged: boolean;
  /** Config.User ("" means the image's user; the caller resolves it when it can). */
  user: string;
  capAdd: readonly string[];
  hostNetwork: boolean;
  hostPid: boolean;
  hostIpc: boolean;
  /** Host paths bind-mounted into the container. */
  hostMounts: readonly { source: string; readOnly: boolean }[];
}

export interface ContainerRiskInput {
  id: string;
  name?: string;
  host?: string;
  imageDigest: string;
  findings: readonly RiskFinding[];
  runtime: RuntimeFacts;
}

export interface RankedContainer {
  id: string;
  name?: string;
  host?: string;
  imageDigest: string;
  score: number;
  /** Why, largest contribution first ("3 CRITICAL fixable", "privileged", "port 443/tcp published on 0.0.0.0"). */
  reasons: string[];
}

const WEIGHT: Record<Severity, number> = { CRITICAL: 10, HIGH: 5, MEDIUM: 2, LOW: 0.5, UNKNOWN: 1 };
const FIXABLE = 1.5;
const DANGEROUS_CAPS: ReadonlyMap<string, number> = new Map([
  ['SYS_ADMIN', 0.6],
  ['SYS_MODULE', 0.6],
  ['SYS_PTRACE', 0.4],
  ['DAC_READ_SEARCH', 0.4],
  ['NET_ADMIN', 0.3],
  ['SYS_RAWIO', 0.4],
  ['BPF', 0.4],
  ['ALL', 1],
]);
const SENSITIVE_MOUNT =
  /^\/(?:$|etc|proc|sys|root|boot|dev|var\/run\/docker\.sock|run\/docker\.sock|var\/lib\/docker|run\/containerd)(?:\/|$)/;

interface Term {
  value: number;
  reason: string;
}

/** Σ severity weight × (1.5 when fixable), one reason per severity and fixability. */
function vulnerabilityTerms(findings: readonly RiskFinding[]): Term[] {
  const groups = new Map<string, { n: number; value: number; reason: (n: number) => string }>();
  for (const f of findings) {
    const key = `${f.severity}${f.fixable ? ' fixable' : ''}`;
    const g = groups.get(key) ?? { n: 0, value: 0, reason: (n: number) => `${n} ${key}` };
    g.n++;
    g.value += WEIGHT[f.severity] * (f.fixable ? FIXABLE : 1);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ value: g.value, reason: g.reason(g.n) }));
}

const loopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1' || ip === 'localhost';

/** Exposure: +0.5 for any port published beyond loopback, +0.25 for a loopback-only one. */
function exposureTerms(r: RuntimeFacts): Term[] {
  const out: Term[] = [];
  const open = r.publishedPorts.filter((p) => !loopback(p.hostIp));
  if (open.length > 0)
    out.push({
      value: 0.5,
      reason: open.map((p) => `port ${p.containerPort}/${p.protocol} published on ${p.hostIp || '0.0.0.0'}`).join(', '),
    });
  else if (r.publishedPorts.length > 0) out.push({ value: 0.25, reason: 'port published on loopback' });
  if (r.hostNetwork) out.push({ value: 0.5, reason: 'host network' });
  return out;
}

function privilegeTerms(r: RuntimeFacts): Term[] {
  const out: Term[] = [];
  if (r.privileged) out.push({ value: 1, reason: 'privileged' });
  const u = r.user.split(':')[0]!;
  if (u === '' || u === 'root' || u === '0') out.push({ value: 0.25, reason: 'runs as root' });
  for (const c of new Set(r.capAdd.map((x) => x.toUpperCase().replace(/^CAP_/, ''))))
    out.push({ value: DANGEROUS_CAPS.get(c) ?? 0.1, reason: `adds capability ${c}` });
  if (r.hostPid) out.push({ value: 0.4, reason: 'host PID namespace' });
  if (r.hostIpc) out.push({ value: 0.2, reason: 'host IPC namespace' });
  for (const m of r.hostMounts)
    out.push(
      SENSITIVE_MOUNT.test(m.source)
        ? { value: m.readOnly ? 0.3 : 0.6, reason: `mounts host ${m.source}${m.readOnly ? ' read-only' : ''}` }
        : { value: m.readOnly ? 0.02 : 0.05, reason: `mounts host ${m.source}${m.readOnly ? ' read-only' : ''}` },
    );
  return out;
}

const sum = (ts: Term[]): number => ts.reduce((n, t) => n + t.value, 0);

/** score = (1 + vulnerabilities) × (1 + exposure) × (1 + privilege); see readme.md. */
export function riskOf(c: ContainerRiskInput): RankedContainer {
  const vuln = vulnerabilityTerms(c.findings);
  const exposure = exposureTerms(c.runtime);
  const privilege = privilegeTerms(c.runtime);
  const score = (1 + sum(vuln)) * (1 + sum(exposure)) * (1 + sum(privilege));
  const reasons = [
    ...vuln.sort((a, b) => b.value - a.value),
    ...exposure,
    ...privilege.sort((a, b) => b.value - a.value),
  ];
  return {
    id: c.id,
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.host !== undefined ? { host: c.host } : {}),
    imageDigest: c.imageDigest,
    score: Math.round(score * 100) / 100,
    reasons: reasons.map((t) => t.reason),
  };
}

export interface RankOptions {
  /** Count only findings of these severities (the query's `severity=HIGH,CRITICAL`). */
  severities?: readonly Severity[];
  /** Leave out containers with no finding counted (the query's `vulnerable=true`). */
  vulnerableOnly?: boolean;
}

/** Highest risk first; ties by host, then container id, so pages are stable. */
export function rankContainers(containers: readonly ContainerRiskInput[], opts: RankOptions = {}): RankedContainer[] {
  const keep = opts.severities ? new Set(opts.severities) : undefined;
  return containers
    .map((c) => (keep ? { ...c, findings: c.findings.filter((f) => keep.has(f.severity)) } : c))
    .filter((c) => !opts.vulnerableOnly || c.findings.length > 0)
    .map(riskOf)
    .sort((a, b) => b.score - a.score || (a.host ?? '').localeCompare(b.host ?? '') || a.id.localeCompare(b.id));
}
