import { z } from 'zod';
import { defineRoute, type RouteGroup } from '../route.js';

// An administrator writes why something is about to happen (a break-glass login, a change
// window) into the audit log, before it happens; the entry carries who, from where and when.

const Note = z.object({ message: z.string().min(1).max(1000) }).strict();

export const auditNotes: RouteGroup = {
  id: 'audit-notes',
  routes: () => [
    defineRoute({
      method: 'POST',
      url: '/api/v1/audit/notes',
      summary: 'Record a note in the audit log (role admin)',
      access: ['admin'],
      action: 'audit.note',
      bodyLimit: 16 << 10,
      status: 201,
      body: Note,
      response: z.object({ recorded: z.literal(true) }),
      handler: async ({ body, auditDetail }) => {
        auditDetail({ note: body.message });
        return { recorded: true as const };
      },
    }),
  ],
};
