import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Principal, Role, ServerDeps } from './deps.js';

// The contract of a route group: one file exporting a RouteGroup, one line in routes/index.ts.
// Each route declares who may call it and zod schemas for everything it takes and answers;
// the app validates with them and the OpenAPI document is generated from them.

/** `public`: no token (health probes only); otherwise the roles allowed. */
export type Access = 'public' | readonly Role[];

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RouteRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined only on public routes. */
  principal: Principal | undefined;
  remoteAddress: string;
  log: FastifyBaseLogger;
  /** Adds to this request's audit entry (mutations). */
  auditDetail(detail: Record<string, string>): void;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Fastify syntax: `/api/v1/images/:digest`. */
  url: string;
  summary: string;
  access: Access;
  /** The audit action of a mutation, e.g. `scan.upload` (default: method and url). */
  action?: string;
  /** Largest request body in bytes (default: the app's, 1 MiB). */
  bodyLimit?: number;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** Content type of a non-JSON answer (the handler then returns the text). */
  produces?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The answer; unknown fields are stripped, so nothing undeclared leaves the server. */
  response: R;
  handler(request: RouteRequest<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType, z.ZodType>;

/** Keeps the schemas' types for the handler, then forgets them for the registry. */
export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): AnyRoute {
  return spec as unknown as AnyRoute;
}

export interface RouteContext {
  deps: ServerDeps;
  /** The app's own Prometheus registry: a group adds its metrics here. */
  metrics: Registry;
  /** Every route of the app (for the OpenAPI document). */
  routes(): readonly AnyRoute[];
}

export interface RouteGroup {
  id: string;
  routes(ctx: RouteContext): AnyRoute[];
}
