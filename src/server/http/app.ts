import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { FailureLimiter, type LimiterOptions } from '../auth/failure-limiter.js';
import type { ServerDeps } from './deps.js';
import { errorAnswer, httpError, RetryLater } from './errors.js';
import { auditHook, authHook, metricsHook } from './hooks.js';
import { serverLogger } from './logging.js';
import { createMetrics } from './metrics.js';
import { registerRoute } from './register.js';
import type { AnyRoute, RouteContext, RouteGroup } from './route.js';
import { ROUTE_GROUPS } from './routes/index.js';

const DEFAULT_BODY_LIMIT = 1 << 20;

export interface RegisteredRoute {
  method: string;
  url: string;
  config: unknown;
}
const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route fastify registered (HEAD twins included): what the access test walks. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

export interface ServerAppOptions {
  /** Key and certificate (PEM). The server always passes them; only tests inject without. */
  https?: { key: string; cert: string };
  /** Default request body limit in bytes (a route may declare its own). */
  bodyLimit?: number;
  /** Route groups (default: the registry, routes/index.ts). */
  groups?: readonly RouteGroup[];
  /** Failed-authentication limits per client address. */
  limits?: Partial<LimiterOptions>;
  logger?: Logger;
}

/** The HTTP app: hooks for auth, audit and metrics, then every route group's routes. */
export function buildServerApp(deps: ServerDeps, options: ServerAppOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger ?? serverLogger(),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // slow clients cannot hold a request open forever (fastify's default is no limit)
    requestTimeout: 120_000,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  const metrics = createMetrics();
  const limiter = new FailureLimiter(options.limits);
  const seen: RegisteredRoute[] = [];
  registered.set(app, seen);
  app.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) seen.push({ method, url: r.url, config: r.config });
  });
  app.decorateRequest('bulwarkAuth', null);
  app.decorateRequest('bulwarkAuditDetail', null);
  // JSON only: the text parser would hand strings to routes that expect documents
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', authHook(deps, limiter, metrics));
  app.addHook('onSend', auditHook(deps, metrics));
  app.addHook('onResponse', metricsHook(metrics));
  app.setErrorHandler(async (error, request, reply) => {
    const answer = errorAnswer(error);
    if (answer.internal) request.log.error({ err: error }, 'request failed');
    if (error instanceof RetryLater) reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.code(answer.status).send(answer.body);
  });
  app.setNotFoundHandler(async (_request, reply) => {
    const answer = httpError('NOT_FOUND', 'no such route');
    return reply.code(answer.status).send(answer.body);
  });
  const routes: AnyRoute[] = [];
  const ctx: RouteContext = { deps, metrics: metrics.registry, routes: () => routes };
  for (const group of options.groups ?? ROUTE_GROUPS) routes.push(...group.routes(ctx));
  for (const route of routes) registerRoute(app, route);
  return app;
}
