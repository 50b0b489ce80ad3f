import { z } from 'zod';
import { defineRoute, type RouteGroup } from '../route.js';

// Prometheus scrape endpoint; scrapers send a bearer token (Prometheus `authorization` config).

export const metrics: RouteGroup = {
  id: 'metrics',
  routes: ({ metrics: registry }) => [
    defineRoute({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (roles admin, viewer)',
      access: ['admin', 'viewer'],
      produces: registry.contentType,
      response: z.string(),
      handler: () => registry.metrics(),
    }),
  ],
};
