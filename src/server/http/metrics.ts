import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

// The app's own Prometheus registry (never prom-client's global one: two apps in one process,
// as in tests, would collide). Route labels are templates, so cardinality stays bounded.

export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
  authFailures: Counter<'reason'>;
  auditFailures: Counter;
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bulwark_' });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'bulwark_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'bulwark_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and status',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'bulwark_auth_failures_total',
      help: 'Refused requests: missing or invalid token, wrong role, rate-limited address',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    auditFailures: new Counter({
      name: 'bulwark_audit_write_failures_total',
      help: 'Audit entries that could not be written (each answered 500)',
      registers: [registry],
    }),
  };
}
