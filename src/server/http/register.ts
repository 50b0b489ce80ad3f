import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { validationError } from './errors.js';
import type { Access, AnyRoute } from './route.js';

// One route spec → one fastify route: access and action ride in the route's config (read by
// the auth and audit hooks), inputs are parsed with the spec's schemas, the answer through
// its response schema (unknown fields stripped).

export interface RouteConfig {
  access: Access;
  action: string;
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

function handlerOf(route: AnyRoute) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const out = await route.handler({
      params: parse(route.params, request.params, 'params'),
      query: parse(route.query, request.query, 'query'),
      body: parse(route.body, request.body, 'body'),
      principal: request.bulwarkAuth?.ok ? request.bulwarkAuth.principal : undefined,
      remoteAddress: request.ip,
      log: request.log,
      auditDetail: (detail) => {
        request.bulwarkAuditDetail = { ...request.bulwarkAuditDetail, ...detail };
      },
    });
    reply.code(route.status ?? 200);
    if (route.produces) return reply.type(route.produces).send(out);
    return route.response.parse(out);
  };
}

export function registerRoute(app: FastifyInstance, route: AnyRoute): void {
  const config: RouteConfig = { access: route.access, action: route.action ?? `${route.method} ${route.url}` };
  app.route({
    method: route.method,
    url: route.url,
    config,
    ...(route.bodyLimit === undefined ? {} : { bodyLimit: route.bodyLimit }),
    handler: handlerOf(route),
  });
}
