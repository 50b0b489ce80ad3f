import { z } from 'zod';
import { ROLES } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';

const Principal = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) });

export const whoami: RouteGroup = {
  id: 'whoami',
  routes: () => [
    defineRoute({
      method: 'GET',
      url: '/api/v1/whoami',
      summary: 'The principal the token belongs to',
      access: ROLES,
      response: Principal,
      handler: async ({ principal }) => principal!,
    }),
  ],
};
