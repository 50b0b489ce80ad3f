import { z } from 'zod';
import { STRIDE, type Stride } from '../core/threat.js';
import { SEVERITIES } from '../core/types.js';

// The agent ↔ server contract (`/api/v1/hosts/…`, `/api/v1/events`): one set of zod schemas
// the server validates with and the agent's sink and reporter send by. It lives here, below
// both (server may import events; runtime may import events), so neither imports the other.

/** Events per POST the server takes at most. */
export const MAX_EVENTS_PER_BATCH = 1000;

const text = (max: number) => z.string().min(1).max(max);

/** ISO 8601 date and time with a zone ("2026-12-08T00:24:29.123Z"). */
export const isoTimeSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/, 'not an ISO 8601 time with a zone')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid time');

export const securityEventSchema = z
  .object({
    id: text(200),
    time: isoTimeSchema,
    rule: text(200),
    severity: z.enum(SEVERITIES),
    message: z.string().max(65_536),
    stride: z.enum(STRIDE as [Stride, ...Stride[]]),
    attack: z.string().max(32),
    action: z.enum(['alert', 'denied', 'killed', 'paused', 'stopped', 'limited']),
    host: z.string().max(255).optional(),
    container: z
      .object({
        id: text(128),
        name: z.string().max(255).optional(),
        image: z.string().max(1024).optional(),
        imageDigest: z.string().max(200).optional(),
      })
      .optional(),
    process: z
      .object({
        pid: z.number().int(),
        ppid: z.number().int().optional(),
        exe: z.string().max(4096).optional(),
        // the kernel allows far longer command lines; the request's body limit bounds the total
        args: z.array(z.string().max(131_072)).max(10_000).optional(),
        cwd: z.string().max(4096).optional(),
        uid: z.number().int().optional(),
        auid: z.number().int().optional(),
        user: z.string().max(255).optional(),
      })
      .optional(),
    file: z
      .object({
        path: z.string().max(4096),
        operation: z.enum([
          'exec',
          'open',
          'read',
          'write',
          'chmod',
          'unlink',
          'rename',
          'link',
          'create',
          'chown',
          'truncate',
          'xattr',
        ]),
      })
      .optional(),
    network: z
      .object({
        address: z.string().max(255),
        port: z.number().int().min(0).max(65535),
        protocol: z.enum(['tcp', 'udp']).optional(),
      })
      .optional(),
    fields: z.record(z.string().max(200), z.union([z.string().max(65_536), z.number(), z.boolean()])).optional(),
  })
  .strict();

export const eventBatchSchema = z
  .object({ events: z.array(securityEventSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict();

/** What Docker's inspect says about how a container runs (the risk ranking's exposure and privilege). */
const runtimeFactsSchema = z
  .object({
    publishedPorts: z
      .array(
        z.object({
          containerPort: z.number().int().min(0).max(65535),
          protocol: z.enum(['tcp', 'udp', 'sctp']),
          hostIp: z.string().max(64),
          hostPort: z.number().int().min(0).max(65535),
        }),
      )
      .max(1000),
    privileged: z.boolean(),
    user: z.string().max(255),
    capAdd: z.array(z.string().max(64)).max(100),
    hostNetwork: z.boolean(),
    hostPid: z.boolean(),
    hostIpc: z.boolean(),
    hostMounts: z.array(z.object({ source: z.string().max(4096), readOnly: z.boolean() })).max(1000),
  })
  .strict();
export type RuntimeFactsReport = z.infer<typeof runtimeFactsSchema>;

const containerReportSchema = z
  .object({
    id: text(128),
    name: z.string().max(255),
    imageRef: z.string().max(1024),
    /** The image's repo digest (sha256:…) when the engine knows one, else its image id. */
    imageDigest: text(200),
    labels: z.record(z.string().max(1024), z.string().max(8192)),
    startedAt: isoTimeSchema.optional(),
    runtime: runtimeFactsSchema,
  })
  .strict();
export type ContainerReport = z.infer<typeof containerReportSchema>;

/** PUT /api/v1/hosts/:id/containers: every container running on the host now. */
export const containerListSchema = z.object({ containers: z.array(containerReportSchema).max(20_000) }).strict();

const containerChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), time: isoTimeSchema, container: containerReportSchema }).strict(),
  z.object({ kind: z.enum(['stop', 'die']), time: isoTimeSchema, id: text(128) }).strict(),
]);

/** POST /api/v1/hosts/:id/containers/changes: start/stop/die since the last report, in order. */
export const containerChangesSchema = z.object({ changes: z.array(containerChangeSchema).min(1).max(1000) }).strict();

/** POST /api/v1/hosts/:id/register. */
export const hostRegistrationSchema = z.object({ name: text(255), agentVersion: text(64) }).strict();

/** A host id in a path: the agent's machine id or hostname. */
export const hostIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'not a host id');

export type ContainerChange = z.infer<typeof containerChangeSchema>;
export type HostRegistration = z.infer<typeof hostRegistrationSchema>;

export const API_PATHS = {
  register: (host: string) => `/api/v1/hosts/${encodeURIComponent(host)}/register`,
  containers: (host: string) => `/api/v1/hosts/${encodeURIComponent(host)}/containers`,
  changes: (host: string) => `/api/v1/hosts/${encodeURIComponent(host)}/containers/changes`,
  events: '/api/v1/events',
} as const;
