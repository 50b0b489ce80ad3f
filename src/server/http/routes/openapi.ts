import { z } from 'zod';
import { ROLES } from '../deps.js';
import { openApiDocument } from '../openapi.js';
import { defineRoute, type RouteGroup } from '../route.js';

export const openapi: RouteGroup = {
  id: 'openapi',
  routes: ({ routes }) => {
    let document: Record<string, unknown> | undefined;
    return [
      defineRoute({
        method: 'GET',
        url: '/api/v1/openapi.json',
        summary: 'This API as an OpenAPI 3.1 document',
        access: ROLES,
        response: z.record(z.string(), z.unknown()),
        handler: async () => (document ??= openApiDocument(routes())),
      }),
    ];
  },
};
