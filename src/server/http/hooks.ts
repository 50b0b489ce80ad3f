import type { FastifyReply, FastifyRequest } from 'fastify';
import { messageOf } from '../../core/errors.js';
import { decideAccess, type AuthDecision } from '../auth/guard.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import { ROLES, type AuditEntry, type ServerDeps } from './deps.js';
import { errorAnswer, httpError } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { RouteConfig } from './register.js';

// The app's hooks: authentication before the body is read, the audit entry before the answer
// leaves (a failed audit write turns it into a 500), metrics once it has left.

declare module 'fastify' {
  interface FastifyRequest {
    bulwarkAuth: AuthDecision | null;
    bulwarkAuditDetail: Record<string, string> | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function configOf(request: FastifyRequest): Partial<RouteConfig> {
  return request.routeOptions.config as Partial<RouteConfig>;
}

/** Unknown routes need a token too, so an anonymous client cannot map the API. */
export function authHook(deps: ServerDeps, limiter: FailureLimiter, metrics: ServerMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = await decideAccess(
      {
        authorization: request.headers.authorization,
        remoteAddress: request.ip,
        access: configOf(request).access ?? ROLES,
      },
      deps,
      limiter,
    );
    request.bulwarkAuth = decision;
    if (decision.ok) return;
    metrics.authFailures.inc({ reason: decision.action.slice('auth.'.length) });
    if (decision.audit) request.log.warn({ action: decision.action }, 'request refused');
    const answer = errorAnswer(decision.error);
    if (decision.retryAfterSeconds !== undefined) reply.header('retry-after', String(decision.retryAfterSeconds));
    if (decision.error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="bulwark"');
    await reply.code(answer.status).send(answer.body);
  };
}

function auditEntryOf(request: FastifyRequest, reply: FastifyReply): AuditEntry | undefined {
  const auth = request.bulwarkAuth;
  const route = `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
  const base = {
    time: new Date().toISOString(),
    route,
    remoteAddress: request.ip,
    status: reply.statusCode,
    requestId: request.id,
  };
  if (auth && !auth.ok)
    return auth.audit
      ? { ...base, action: auth.action, outcome: 'denied', ...(auth.principal ? { actor: auth.principal } : {}) }
      : undefined;
  if (SAFE_METHODS.has(request.method)) return undefined;
  return {
    ...base,
    action: configOf(request).action ?? route,
    outcome: reply.statusCode < 400 ? 'success' : 'failure',
    ...(auth?.principal ? { actor: auth.principal } : {}),
    ...(request.bulwarkAuditDetail ? { detail: request.bulwarkAuditDetail } : {}),
  };
}

export function auditHook(deps: ServerDeps, metrics: ServerMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const entry = auditEntryOf(request, reply);
    if (!entry) return payload;
    try {
      await deps.audit(entry);
      return payload;
    } catch (e) {
      metrics.auditFailures.inc();
      request.log.error({ action: entry.action, reason: messageOf(e) }, 'audit entry not written');
      const answer = httpError('INTERNAL', 'the audit log could not be written');
      reply.code(answer.status).type('application/json; charset=utf-8');
      return JSON.stringify(answer.body);
    }
  };
}

export function metricsHook(metrics: ServerMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  };
}
