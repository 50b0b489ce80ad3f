import { BulwarkError } from '../../core/errors.js';
import type { Principal, ServerDeps } from '../http/deps.js';
import type { Access } from '../http/route.js';
import type { FailureLimiter } from './failure-limiter.js';

// Who is calling and may they: the bearer token, the route's roles and the failure limiter,
// decided before the body is read (a refused client never makes the server buffer a byte).

type AuthAction = 'auth.missing' | 'auth.invalid' | 'auth.forbidden' | 'auth.rate_limited';

export type AuthDecision =
  | { ok: true; principal?: Principal }
  | {
      ok: false;
      /** UNAUTHENTICATED, FORBIDDEN or RATE_LIMITED; its message never quotes the token. */
      error: BulwarkError;
      action: AuthAction;
      /** False for a client already refused: its repeated attempts are counted, not each logged. */
      audit: boolean;
      principal?: Principal;
      retryAfterSeconds?: number;
    };

// RFC 6750 token68 characters; longer than any token we issue is not worth a lookup
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*) *$/i;

function refuse(
  action: AuthAction,
  error: BulwarkError,
  extra: { audit?: boolean; principal?: Principal; retryAfterSeconds?: number } = {},
): AuthDecision {
  return { ok: false, action, error, audit: extra.audit ?? true, ...extra };
}

const limited = (): BulwarkError =>
  new BulwarkError('RATE_LIMITED', 'this address', 'too many failed authentications; retry later');

export interface AuthInput {
  authorization: string | undefined;
  remoteAddress: string;
  access: Access;
}

export async function decideAccess(
  input: AuthInput,
  deps: Pick<ServerDeps, 'authenticate'>,
  limiter: FailureLimiter,
): Promise<AuthDecision> {
  if (input.access === 'public') return { ok: true };
  const blocked = limiter.blockedFor(input.remoteAddress);
  if (blocked > 0)
    return refuse('auth.rate_limited', limited(), {
      audit: false,
      retryAfterSeconds: Math.ceil(blocked / 1000),
    });
  const failed = (action: AuthAction, what: string, reason: string): AuthDecision => {
    if (!limiter.fail(input.remoteAddress)) return refuse(action, new BulwarkError('UNAUTHENTICATED', what, reason));
    const retryAfterSeconds = Math.ceil(limiter.blockedFor(input.remoteAddress) / 1000);
    return refuse('auth.rate_limited', limited(), {
      retryAfterSeconds,
    });
  };
  if (!input.authorization) return failed('auth.missing', 'Authorization header', 'missing (send Bearer <token>)');
  const secret = BEARER.exec(input.authorization)?.[1];
  if (!secret) return failed('auth.invalid', 'Authorization header', 'not a bearer token');
  const principal = await deps.authenticate(secret);
  if (!principal) return failed('auth.invalid', 'bearer token', 'not valid');
  if (!input.access.includes(principal.role))
    return refuse(
      'auth.forbidden',
      new BulwarkError('FORBIDDEN', `role ${principal.role}`, 'may not call this route'),
      {
        principal,
      },
    );
  return { ok: true, principal };
}
