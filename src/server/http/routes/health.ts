import { z } from 'zod';
import { BulwarkError } from '../../../core/errors.js';
import { defineRoute, type RouteGroup } from '../route.js';

// Probes for orchestrators: no token, no details (a probe answer tells an anonymous caller nothing).

const Status = z.object({ status: z.enum(['ok', 'ready']) });

export const health: RouteGroup = {
  id: 'health',
  routes: ({ deps }) => [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: the process answers',
      access: 'public',
      response: Status,
      handler: async () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: the store is reachable (503 when not)',
      access: 'public',
      response: Status,
      handler: async () => {
        const ready = await deps.ready().catch(() => false);
        if (!ready) throw new BulwarkError('UNAVAILABLE', 'server', 'not ready');
        return { status: 'ready' as const };
      },
    }),
  ],
};
