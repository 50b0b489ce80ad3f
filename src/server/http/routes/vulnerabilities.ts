import { z } from 'zod';
import { BulwarkError } from '../../../core/errors.js';
import {
  runningContainersWithAdvisoryPage,
  type CarrierKey,
  type VulnerableContainer,
} from '../../store/vulnerable.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';
import { FINDING_FIELDS } from './finding-fields.js';

// Which running containers carry a vulnerability (by CVE, GHSA or any alias), one row per
// container and finding, paged: an advisory in most images answers thousands of rows.

const Params = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/, 'expected an advisory id such as CVE-2024-1234'),
});
const Query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  cursor: z.string().max(4096).optional(),
});

const Row = z.object({
  hostId: z.string(),
  hostName: z.string(),
  containerId: z.string(),
  containerName: z.string(),
  imageDigest: z.string(),
  repoTags: z.array(z.string()),
  ...FINDING_FIELDS,
});

const Page = z.object({
  id: z.string(),
  containers: z.array(Row),
  /** Pass as `cursor` for the next page; absent on the last. */
  next: z.string().optional(),
});

// The cursor is the sort key of the last row answered (the store's order), so a page stays
// right when containers start or stop between requests.
const keyOf = (c: VulnerableContainer): CarrierKey => [c.hostId, c.containerId, c.advisoryId, c.packagePurl];
const encode = (k: CarrierKey): string => Buffer.from(JSON.stringify(k)).toString('base64url');

function decode(cursor: string): CarrierKey {
  try {
    const k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(k) && k.length === 4 && k.every((x) => typeof x === 'string')) return k as unknown as CarrierKey;
  } catch {
    // reported below
  }
  throw new BulwarkError('INVALID_REQUEST', 'query.cursor', 'not a cursor this server gave');
}

export const vulnerabilities: RouteGroup = {
  id: 'vulnerabilities',
  routes: ({ deps }) => [
    defineRoute({
      method: 'GET',
      url: '/api/v1/vulnerabilities/:id/containers',
      summary: 'Running containers carrying a vulnerability or any of its aliases, paged (roles admin, viewer)',
      access: ['admin', 'viewer'],
      params: Params,
      query: Query,
      response: Page,
      handler: async ({ params, query }) => {
        const from = query.cursor === undefined ? undefined : decode(query.cursor);
        // one row more than asked: whether a next page exists, without counting
        const rows = await runningContainersWithAdvisoryPage(storeOf(deps), params.id, {
          ...(from ? { after: from } : {}),
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return {
          id: params.id,
          containers: page,
          ...(rows.length > page.length && last ? { next: encode(keyOf(last)) } : {}),
        };
      },
    }),
  ],
};
