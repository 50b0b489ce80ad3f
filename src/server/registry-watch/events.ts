import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';

// The envelope docker/distribution POSTs to a notifications endpoint:
// {"events": [{id, timestamp, action, target: {mediaType, digest, size, repository, url,
// tag}, request: {id, addr, host, method, useragent}, actor: {name}, source: {addr,
// instanceID}}]} (notifications/event.go). Distribution 2.x sends it as
// application/vnd.docker.distribution.events.v1+json, 3.x as …events.v2+json with the
// same fields. Unknown fields and actions are tolerated (newer registries add some);
// fields we use are checked, and bad input is refused whole, naming the field.

const EVENTS_MEDIA_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
] as const;

/** Largest body accepted: distribution sends events one by one or in small batches. */
export const MAX_NOTIFICATION_BYTES = 1 << 20;
export const MAX_EVENTS = 1000;

const INPUT = 'registry notification';
const MAX_STRING = 2048;

const text = z.string().max(MAX_STRING);
const digest = z.string().regex(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/, 'not a sha256 or sha512 digest');
// distribution's reference grammar: lowercase path components separated by "/", at most 255
const repository = z
  .string()
  .max(255)
  .regex(
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'not a repository name',
  );
const tag = z.string().regex(/^\w[\w.-]{0,127}$/, 'not a tag');

const Target = z.looseObject({
  mediaType: text.optional(),
  digest: digest.optional(),
  size: z.number().int().nonnegative().optional(),
  repository,
  url: text.optional(),
  tag: tag.optional(),
});

const Event = z.looseObject({
  id: text.optional(),
  timestamp: text.optional(),
  action: text,
  target: Target,
  request: z
    .looseObject({
      id: text.optional(),
      addr: text.optional(),
      host: text.optional(),
      method: text.optional(),
      useragent: text.optional(),
    })
    .optional(),
  actor: z.looseObject({ name: text.optional() }).optional(),
  source: z.looseObject({ addr: text.optional(), instanceID: text.optional() }).optional(),
});

const Envelope = z.looseObject({ events: z.array(z.unknown()).max(MAX_EVENTS, `more than ${MAX_EVENTS} events`) });

export type RegistryEvent = z.infer<typeof Event>;

/** The media type of a Content-Type header, or undefined. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/** Refuses a body that is not an events envelope by its Content-Type. */
export function checkMediaType(contentType: string | undefined): void {
  const type = mediaTypeOf(contentType);
  if (!type || !(EVENTS_MEDIA_TYPES as readonly string[]).includes(type))
    throw new BulwarkError(
      'WRONG_TYPE',
      INPUT,
      `Content-Type ${type ? `"${type.slice(0, 100)}"` : 'missing'}: expected ${EVENTS_MEDIA_TYPES.join(' or ')}`,
    );
}

function refuse(issue: z.core.$ZodIssue | undefined, prefix: (string | number)[]): never {
  const where = [...prefix, ...(issue?.path ?? [])].map(String).join('.');
  throw new BulwarkError(
    'CORRUPT',
    INPUT,
    `${where || 'body'}: ${(issue?.message ?? 'invalid').replace(/\s+/g, ' ').slice(0, 200)}`,
  );
}

/** The events of one notification body; TOO_LARGE or CORRUPT (naming the field) otherwise. */
export function parseEnvelope(body: Buffer): RegistryEvent[] {
  if (body.length > MAX_NOTIFICATION_BYTES)
    throw new BulwarkError('TOO_LARGE', INPUT, `${body.length} bytes, over the ${MAX_NOTIFICATION_BYTES}-byte limit`);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    // V8's message quotes the body; the notification may carry tokens in URLs
    throw new BulwarkError('CORRUPT', INPUT, 'body is not valid JSON');
  }
  const env = Envelope.safeParse(raw);
  if (!env.success) refuse(env.error.issues[0], []);
  return env.data.events.map((e, i) => {
    const r = Event.safeParse(e);
    if (!r.success) refuse(r.error.issues[0], ['events', i]);
    return r.data;
  });
}
