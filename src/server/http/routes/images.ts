import { z } from 'zod';
import { BulwarkError } from '../../../core/errors.js';
import { SEVERITIES } from '../../../core/types.js';
import { custodyOf } from '../../store/custody.js';
import { findingsOf, getImage, packagesOf, type PackageRecord } from '../../store/images.js';
import { DIGEST } from '../../ingest/scan-report.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';
import { FINDING_FIELDS } from './finding-fields.js';

// One image as the server knows it: what its last scan inventoried, what it is vulnerable to,
// and its chain of custody (who built, scanned, pushed, signed and ran it).

const Params = z.strictObject({ digest: z.string().regex(DIGEST, 'expected sha256: and 64 lower-case hex digits') });
const Query = z.strictObject({ limit: z.coerce.number().int().min(0).max(10_000).default(100) });

const Finding = z.object({ ...FINDING_FIELDS, aliases: z.array(z.string()) });

const ImageView = z.object({
  digest: z.string(),
  repoTags: z.array(z.string()),
  scannedAt: z.string().optional(),
  inventory: z.object({
    os: z.string().optional(),
    packages: z.number(),
    byEcosystem: z.array(z.object({ ecosystem: z.string(), packages: z.number() })),
  }),
  findings: z.object({
    total: z.number(),
    bySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()]))),
    /** The first `limit`, most severe first. */
    items: z.array(Finding),
    truncated: z.boolean(),
  }),
  custody: z.array(
    z.object({ kind: z.string(), actor: z.string(), time: z.string(), details: z.record(z.string(), z.unknown()) }),
  ),
});

function byEcosystem(packages: PackageRecord[]): { ecosystem: string; packages: number }[] {
  const counts = new Map<string, number>();
  for (const p of packages) counts.set(p.ecosystem, (counts.get(p.ecosystem) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ecosystem, n]) => ({ ecosystem, packages: n }));
}

const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

export const images: RouteGroup = {
  id: 'images',
  routes: ({ deps }) => [
    defineRoute({
      method: 'GET',
      url: '/api/v1/images/:digest',
      summary: 'An image: inventory summary, findings and chain of custody (roles admin, viewer, scanner)',
      access: ['admin', 'viewer', 'scanner'],
      params: Params,
      query: Query,
      response: ImageView,
      handler: async ({ params, query }) => {
        const store = storeOf(deps);
        const image = await getImage(store, params.digest);
        if (!image) throw new BulwarkError('NOT_FOUND', params.digest, 'no such image');
        const [packages, findings, custody] = await Promise.all([
          packagesOf(store, params.digest),
          findingsOf(store, params.digest),
          custodyOf(store, params.digest),
        ]);
        const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
        for (const f of findings) if (f.severity in bySeverity) bySeverity[f.severity]! += 1;
        const sorted = [...findings].sort((a, b) => rank(b.severity) - rank(a.severity));
        return {
          digest: image.digest,
          repoTags: image.repoTags,
          ...(image.scannedAt ? { scannedAt: image.scannedAt } : {}),
          inventory: {
            ...(image.os ? { os: image.os } : {}),
            packages: packages.length,
            byEcosystem: byEcosystem(packages),
          },
          findings: {
            total: findings.length,
            bySeverity,
            items: sorted.slice(0, query.limit),
            truncated: findings.length > query.limit,
          },
          custody: custody.map(({ kind, actor, time, details }) => ({ kind, actor, time, details })),
        };
      },
    }),
  ],
};
