import { BulwarkError } from '../../core/errors.js';
import type { Store } from '../store/open.js';

// What the HTTP app needs from the rest of the server: injected, so the app is tested without
// a store and the store is wired in one place (src/server/wiring).

export const ROLES = ['admin', 'agent', 'scanner', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who a valid API token belongs to. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
}

/** One line of the audit log: a mutation, or a refused authentication or authorisation. */
export interface AuditEntry {
  /** ISO 8601, when the request was answered. */
  time: string;
  /** Absent when no token was accepted (missing, invalid, rate-limited). */
  actor?: Principal;
  /** `auth.missing`, `auth.invalid`, `auth.forbidden`, `auth.rate_limited`, or the route's action (e.g. `audit.note`). */
  action: string;
  /** Method and route template, e.g. `POST /api/v1/audit/notes` (never the query string). */
  route: string;
  remoteAddress: string;
  outcome: 'success' | 'failure' | 'denied';
  /** HTTP status answered. */
  status: number;
  requestId: string;
  /** What the route says about the mutation (ids, digests, a note); never a secret. */
  detail?: Record<string, string>;
}

export interface ServerDeps {
  /** The principal owning this bearer secret, or undefined; must compare in constant time. */
  authenticate(secret: string): Promise<Principal | undefined>;
  /** Appends to the audit log; a rejection turns the answer into a 500. */
  audit(entry: AuditEntry): Promise<void>;
  /** True when the server can take traffic (store reachable, migrations applied). */
  ready(): Promise<boolean>;
  /** Called once the listener has closed and in-flight requests have finished. */
  close?(): Promise<void>;
  /** The server's store (src/server/store); absent only in the HTTP layer's own tests. */
  store?: Store;
}

/** The store, for a route that needs one: without it the route answers 503. */
export function storeOf(deps: ServerDeps): Store {
  if (!deps.store) throw new BulwarkError('UNAVAILABLE', 'store', 'the server has no store');
  return deps.store;
}
