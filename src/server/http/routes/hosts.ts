import { z } from 'zod';
import { BulwarkError } from '../../../core/errors.js';
import {
  containerChangesSchema,
  containerListSchema,
  hostIdSchema,
  hostRegistrationSchema,
  type ContainerReport,
} from '../../../events/server-api.js';
import { knownContainerIds, markContainerStopped, resyncHost, upsertContainer } from '../../store/containers.js';
import { appendCustody } from '../../store/custody.js';
import { touchHost, upsertHost } from '../../store/hosts.js';
import type { Store } from '../../store/open.js';
import { storeOf } from '../deps.js';
import { defineRoute, type RouteGroup } from '../route.js';

// An agent registers its host, then keeps the server's view of the host's containers current:
// the whole list on every (re)connect (what the list lacks is marked stopped), deltas between.
// A container the server sees for the first time on the host adds "first run" to the custody
// of its image digest.

const HostParams = z.object({ id: hostIdSchema }).strict();

async function requireHost(store: Store, id: string): Promise<void> {
  if (!(await touchHost(store, id)))
    throw new BulwarkError('NOT_FOUND', id, 'no such host: register it first (POST /api/v1/hosts/:id/register)');
}

/** Custody "first-run" for the reported containers this host never had; returns how many. */
async function recordFirstRuns(store: Store, hostId: string, actor: string, list: readonly ContainerReport[]) {
  const known = await knownContainerIds(
    store,
    hostId,
    list.map((c) => c.id),
  );
  const fresh = list.filter((c) => !known.has(c.id));
  for (const c of fresh)
    await appendCustody(store, {
      digest: c.imageDigest,
      kind: 'first-run',
      actor,
      details: { host: hostId, container: c.id, name: c.name, imageRef: c.imageRef },
      ...(c.startedAt ? { time: c.startedAt } : {}),
    });
  return fresh.length;
}

const record = (c: ContainerReport) => ({
  id: c.id,
  name: c.name,
  imageDigest: c.imageDigest,
  imageRef: c.imageRef,
  labels: c.labels,
  runtime: c.runtime,
  ...(c.startedAt ? { startedAt: c.startedAt } : {}),
});

export const hosts: RouteGroup = {
  id: 'hosts',
  routes: ({ deps }) => [
    defineRoute({
      method: 'POST',
      url: '/api/v1/hosts/:id/register',
      summary: 'Register an agent host or record that it is back (roles agent, admin)',
      access: ['agent', 'admin'],
      action: 'host.register',
      bodyLimit: 16 << 10,
      params: HostParams,
      body: hostRegistrationSchema,
      response: z.object({ registered: z.literal(true) }),
      handler: async ({ params, body, auditDetail }) => {
        await upsertHost(storeOf(deps), { id: params.id, name: body.name, agentVersion: body.agentVersion });
        auditDetail({ host: params.id, agentVersion: body.agentVersion });
        return { registered: true as const };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/hosts/:id/containers',
      summary: "Replace the host's running containers with this full list (roles agent, admin)",
      access: ['agent', 'admin'],
      action: 'host.containers.resync',
      bodyLimit: 16 << 20,
      params: HostParams,
      body: containerListSchema,
      response: z.object({ running: z.number(), stopped: z.number(), firstSeen: z.number() }),
      handler: async ({ params, body, principal, auditDetail }) => {
        const store = storeOf(deps);
        await requireHost(store, params.id);
        const firstSeen = await recordFirstRuns(store, params.id, principal?.name ?? 'agent', body.containers);
        const stopped = await resyncHost(store, params.id, body.containers.map(record));
        auditDetail({ host: params.id, running: String(body.containers.length), stopped: String(stopped) });
        return { running: body.containers.length, stopped, firstSeen };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/hosts/:id/containers/changes',
      summary: 'Containers started, stopped or died on the host since its last report (roles agent, admin)',
      access: ['agent', 'admin'],
      action: 'host.containers.change',
      bodyLimit: 4 << 20,
      params: HostParams,
      body: containerChangesSchema,
      response: z.object({ applied: z.number() }),
      handler: async ({ params, body, principal, auditDetail }) => {
        const store = storeOf(deps);
        await requireHost(store, params.id);
        for (const ch of body.changes) {
          if (ch.kind === 'start') {
            await recordFirstRuns(store, params.id, principal?.name ?? 'agent', [ch.container]);
            await upsertContainer(store, { ...record(ch.container), hostId: params.id, state: 'running' }, ch.time);
          } else {
            await markContainerStopped(store, params.id, ch.id, ch.time);
          }
        }
        auditDetail({ host: params.id, changes: String(body.changes.length) });
        return { applied: body.changes.length };
      },
    }),
  ],
};
