import { z } from 'zod';
import { verifyAudit } from '../../audit/verify.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';

// An auditor checks the audit log's hash chain from the API (the same walk as
// `bulwark server audit verify`): intact, with its length and head, or where it breaks and how.

const Verdict = z.union([
  z.object({ ok: z.literal(true), entries: z.number(), head: z.string() }),
  z.object({
    ok: z.literal(false),
    seq: z.number(),
    code: z.enum(['AUDIT_EDITED', 'AUDIT_GAP', 'AUDIT_REORDERED']),
    reason: z.string(),
  }),
]);

export const auditVerify: RouteGroup = {
  id: 'audit-verify',
  routes: ({ deps }) => [
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/verify',
      summary:
        "Walk the audit log's hash chain: intact, or the first entry edited, deleted or moved (roles admin, viewer)",
      access: ['admin', 'viewer'],
      response: Verdict,
      handler: async () => verifyAudit(storeOf(deps)),
    }),
  ],
};
