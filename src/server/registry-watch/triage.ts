import type { RegistryEvent } from './events.js';

// What the watcher does with a registry's events — a pure function of the events:
//  - scan work: a push of a manifest or index (by its media type) with a repository and
//    digest, once per repository and digest (a push by tag and by digest, or an index's
//    children pushed before it, each name one image to scan);
//  - audit: who pushed, pulled, deleted or mounted what, from where. Manifest events are
//    audited: a manifest push or pull is the access to an image. Blob pushes and pulls are
//    not: each is a part of a manifest push or pull (audited once, not once per layer), and
//    the registry's own log keeps them. Blob deletes and mounts are audited: they change a
//    repository without a manifest event of their own.

const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

export interface ScanRequest {
  /** The registry as references name it ("127.0.0.1:5000"). */
  registry: string;
  repository: string;
  digest: string;
  /** The tag it was pushed or found under, when one is known. */
  tag?: string;
}

type AccessAction = 'push' | 'pull' | 'delete' | 'mount';

/** One registry access for the audit log. */
export interface RegistryAccess {
  registry: string;
  action: AccessAction;
  repository: string;
  digest?: string;
  tag?: string;
  mediaType?: string;
  /** The user the registry authenticated, when it did. */
  actor?: string;
  /** Client address as the registry saw it (host:port). */
  address?: string;
  userAgent?: string;
  /** The registry's event id and time. */
  eventId?: string;
  timestamp?: string;
}

const ACTIONS: ReadonlySet<string> = new Set(['push', 'pull', 'delete', 'mount']);

const isManifest = (e: RegistryEvent): boolean => MANIFEST_MEDIA_TYPES.has(e.target.mediaType ?? '');

function audited(e: RegistryEvent): boolean {
  if (!ACTIONS.has(e.action)) return false;
  return isManifest(e) || e.action === 'delete' || e.action === 'mount';
}

function accessOf(registry: string, e: RegistryEvent): RegistryAccess {
  const t = e.target;
  const r = e.request;
  const entry: RegistryAccess = { registry, action: e.action as AccessAction, repository: t.repository };
  if (t.digest) entry.digest = t.digest;
  if (t.tag) entry.tag = t.tag;
  if (t.mediaType) entry.mediaType = t.mediaType;
  if (e.actor?.name) entry.actor = e.actor.name;
  if (r?.addr) entry.address = r.addr;
  if (r?.useragent) entry.userAgent = r.useragent;
  if (e.id) entry.eventId = e.id;
  if (e.timestamp) entry.timestamp = e.timestamp;
  return entry;
}

export const scanKey = (s: { registry: string; repository: string; digest: string }): string =>
  `${s.registry}/${s.repository}@${s.digest}`;

export interface Triage {
  scans: ScanRequest[];
  access: RegistryAccess[];
}

export function triage(registry: string, events: readonly RegistryEvent[]): Triage {
  const scans = new Map<string, ScanRequest>();
  const access: RegistryAccess[] = [];
  for (const e of events) {
    if (audited(e)) access.push(accessOf(registry, e));
    const digest = e.target.digest;
    if (e.action !== 'push' || !isManifest(e) || !digest) continue;
    const req: ScanRequest = { registry, repository: e.target.repository, digest };
    const key = scanKey(req);
    const had = scans.get(key);
    // keep the first tag seen: a later push of the same digest by digest has none
    if (e.target.tag && !had?.tag) req.tag = e.target.tag;
    else if (had?.tag) req.tag = had.tag;
    scans.set(key, req);
  }
  return { scans: [...scans.values()], access };
}
