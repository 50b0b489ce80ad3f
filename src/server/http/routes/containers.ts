import { z } from 'zod';
import { SEVERITIES, type Severity } from '../../../core/types.js';
import { rankContainers, type ContainerRiskInput, type RuntimeFacts } from '../../risk/rank.js';
import { listContainers, type ContainerRecord } from '../../store/containers.js';
import { findingsOf, type FindingRecord } from '../../store/images.js';
import type { Store } from '../../store/open.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';

// Running containers ranked by risk (src/server/risk): each with its image's findings from the
// store and the runtime facts its agent reported. A container whose agent never reported facts
// is ranked on its findings alone.

const SEVERITY = new Set<string>(SEVERITIES);

const Query = z
  .object({
    vulnerable: z.enum(['true', 'false']).default('false'),
    severity: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s === '') return undefined;
        const list = s.split(',').map((x) => x.trim().toUpperCase());
        const bad = list.find((x) => !SEVERITY.has(x));
        if (bad !== undefined) {
          ctx.addIssue({ code: 'custom', message: `not a severity: ${bad} (${SEVERITIES.join(', ')})` });
          return z.NEVER;
        }
        return list as Severity[];
      }),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

const Finding = z.object({
  advisoryId: z.string(),
  severity: z.string(),
  packageName: z.string(),
  installed: z.string(),
  fixed: z.string().optional(),
  cvssScore: z.number().optional(),
});

const Ranked = z.object({
  containers: z.array(
    z.object({
      hostId: z.string(),
      id: z.string(),
      name: z.string(),
      imageDigest: z.string(),
      imageRef: z.string(),
      score: z.number(),
      reasons: z.array(z.string()),
      findings: z.array(Finding),
    }),
  ),
});

/** No facts reported: nothing exposed or privileged is claimed (and not root: unknown). */
const UNREPORTED: RuntimeFacts = {
  publishedPorts: [],
  privileged: false,
  user: '(unreported)',
  capAdd: [],
  hostNetwork: false,
  hostPid: false,
  hostIpc: false,
  hostMounts: [],
};

const severityOf = (s: string): Severity => (SEVERITY.has(s) ? (s as Severity) : 'UNKNOWN');
const keyOf = (host: string, id: string): string => `${host}\u0000${id}`;

async function findingsByDigest(store: Store, running: readonly ContainerRecord[]) {
  const byDigest = new Map<string, FindingRecord[]>();
  for (const c of running)
    if (!byDigest.has(c.imageDigest)) byDigest.set(c.imageDigest, await findingsOf(store, c.imageDigest));
  return byDigest;
}

export const containers: RouteGroup = {
  id: 'containers',
  routes: ({ deps }) => [
    defineRoute({
      method: 'GET',
      url: '/api/v1/containers',
      summary:
        'Running containers ranked by risk: findings (of `severity`), exposed ports, privileges; `vulnerable=true` keeps those with a finding (roles admin, viewer)',
      access: ['admin', 'viewer'],
      query: Query,
      response: Ranked,
      handler: async ({ query }) => {
        const store = storeOf(deps);
        const running = await listContainers(store, { state: 'running' });
        const findings = await findingsByDigest(store, running);
        const byKey = new Map(running.map((c) => [keyOf(c.hostId, c.id), c]));
        const inputs: ContainerRiskInput[] = running.map((c) => ({
          id: c.id,
          name: c.name,
          host: c.hostId,
          imageDigest: c.imageDigest,
          runtime: c.runtime ?? UNREPORTED,
          findings: (findings.get(c.imageDigest) ?? []).map((f) => ({
            id: f.advisoryId,
            severity: severityOf(f.severity),
            fixable: f.fixed !== undefined,
          })),
        }));
        const keep = query.severity ? new Set<string>(query.severity) : undefined;
        const ranked = rankContainers(inputs, {
          vulnerableOnly: query.vulnerable === 'true',
          ...(query.severity ? { severities: query.severity } : {}),
        }).slice(0, query.limit);
        return {
          containers: ranked.map((r) => {
            const c = byKey.get(keyOf(r.host ?? '', r.id))!;
            return {
              hostId: c.hostId,
              id: c.id,
              name: c.name,
              imageDigest: c.imageDigest,
              imageRef: c.imageRef,
              score: r.score,
              reasons: r.reasons,
              findings: (findings.get(c.imageDigest) ?? []).filter((f) => !keep || keep.has(severityOf(f.severity))),
            };
          }),
        };
      },
    }),
  ],
};
