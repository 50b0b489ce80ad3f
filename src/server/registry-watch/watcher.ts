import { z } from 'zod';
import { BulwarkError, isBulwarkError, messageOf } from '../../core/errors.js';
import { parseSecretJson, type Credentials } from '../../registry/auth.js';
import { RegistryClient } from '../../registry/client.js';
import type { SecretSource } from '../secrets/store.js';
import { isGlob, watches, type WatchedRegistry, type WatcherConfig } from './config.js';
import { checkMediaType, parseEnvelope } from './events.js';
import { authenticate, headerValue, type HeaderBag } from './notify-auth.js';
import { pollRepository, type PollClient, type PollOptions } from './poll.js';
import { SeenDigests } from './seen.js';
import { scanKey, triage, type RegistryAccess, type ScanRequest } from './triage.js';

// The registry watcher: new digests arrive by notification (handleNotification) or by
// polling tags (pollOnce); either way each is handed to enqueueScan once, and only after
// enqueueScan succeeded is it remembered — a failure loses nothing (the registry resends
// the envelope on an error answer; the next poll finds the digest again). Pushes, pulls,
// deletes and mounts go to recordAccess. The store and the HTTP app are injected.

export interface WatcherDeps {
  config: WatcherConfig;
  /** Resolves the config's secret names (credentials, notification tokens). */
  secrets: SecretSource;
  /** Puts one scan job on the queue (idempotent by registry, repository and digest is best). */
  enqueueScan(req: ScanRequest): Promise<void> | void;
  /** Appends one registry access to the audit log (entries carry the registry's eventId). */
  recordAccess(entry: RegistryAccess): Promise<void> | void;
  /** Whether the store already has this digest queued or scanned (default: never). */
  isKnown?(req: ScanRequest): Promise<boolean> | boolean;
  /** How to reach a registry (default: RegistryClient with the config's TLS and credentials). */
  openClient?(r: WatchedRegistry, credentials: Credentials | undefined): Promise<PollClient & { close(): void }>;
  poll?: PollOptions;
}

export interface NotificationResult {
  registry: string;
  events: number;
  recorded: number;
  enqueued: ScanRequest[];
}

export interface RepositoryPoll {
  registry: string;
  repository: string;
  enqueued: ScanRequest[];
  /** The repository ("" for the registry itself: login, catalog) could not be listed, or these tags could not be read. */
  errors: { tag?: string; error: BulwarkError }[];
}

/** Most catalog repositories a glob is matched against per poll. */
const MAX_CATALOG = 10_000;

const CredentialsSecret = z.strictObject({ username: z.string().min(1), password: z.string().min(1) });

export class Watcher {
  private readonly seen = new SeenDigests();
  private readonly inflight = new Map<string, Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<RepositoryPoll[]> | undefined;

  constructor(private readonly deps: WatcherDeps) {}

  /** A POST from a registry's notifications endpoint; throws AUTH, WRONG_TYPE, TOO_LARGE or CORRUPT. */
  async handleNotification(body: Buffer, headers: HeaderBag): Promise<NotificationResult> {
    const registry = this.authenticate(headers);
    checkMediaType(headerValue(headers, 'content-type'));
    const events = parseEnvelope(body);
    const { scans, access } = triage(registry, events);
    for (const a of access) await this.deps.recordAccess(a);
    const watched = this.watched(registry);
    const enqueued: ScanRequest[] = [];
    for (const s of scans) if (watched && watches(watched, s.repository) && (await this.offer(s))) enqueued.push(s);
    return { registry, events: events.length, recorded: access.length, enqueued };
  }

  /** Lists the tags of every watched repository: those named, and those of the catalog a glob matches. */
  async pollOnce(): Promise<RepositoryPoll[]> {
    const out: RepositoryPoll[] = [];
    for (const r of this.deps.config.registries) {
      let client: PollClient & { close(): void };
      try {
        client = await this.open(r);
      } catch (e) {
        out.push({ registry: r.registry, repository: '', enqueued: [], errors: [err(e, r)] });
        continue;
      }
      try {
        const { repositories, error } = await this.repositoriesOf(client, r);
        if (error) out.push({ registry: r.registry, repository: '', enqueued: [], errors: [error] });
        for (const repository of repositories) out.push(await this.pollRepo(client, r, repository));
      } finally {
        client.close();
      }
    }
    return out;
  }

  /** The named repositories, and the catalog's that a glob matches (a catalog refused is reported, not fatal). */
  private async repositoriesOf(
    client: PollClient,
    r: WatchedRegistry,
  ): Promise<{ repositories: string[]; error?: { error: BulwarkError } }> {
    const named = new Set(r.repositories.filter((p) => !isGlob(p)));
    if (named.size === r.repositories.length) return { repositories: [...named] };
    try {
      const listed = await client.listRepositories(1000);
      for (const repo of listed.slice(0, MAX_CATALOG)) if (watches(r, repo)) named.add(repo);
      return { repositories: [...named].sort() };
    } catch (e) {
      return { repositories: [...named].sort(), error: err(e, r) };
    }
  }

  /** Polls every pollIntervalSeconds until stop(); a poll never overlaps the previous one. */
  start(onPoll?: (r: RepositoryPoll[] | Error) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.polling) return;
      this.polling = this.pollOnce();
      this.polling.then(
        (r) => onPoll?.(r),
        (e: unknown) => onPoll?.(e instanceof Error ? e : new Error(messageOf(e))),
      );
      void this.polling.finally(() => (this.polling = undefined)).catch(() => {});
    }, this.deps.config.pollIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling?.catch(() => {});
  }

  private async pollRepo(client: PollClient, r: WatchedRegistry, repository: string): Promise<RepositoryPoll> {
    const result: RepositoryPoll = { registry: r.registry, repository, enqueued: [], errors: [] };
    try {
      const polled = await pollRepository(
        client,
        repository,
        this.seen.digestsOf(r.registry, repository),
        this.deps.poll,
      );
      result.errors.push(...polled.failed);
      for (const f of polled.found) {
        const req: ScanRequest = { registry: r.registry, repository, digest: f.digest };
        if (f.tags[0]) req.tag = f.tags[0];
        if (await this.offer(req)) result.enqueued.push(req);
      }
    } catch (e) {
      result.errors.push(err(e, r, repository));
    }
    return result;
  }

  /** Enqueues unless seen or known; remembers it only once enqueued. */
  private offer(req: ScanRequest): Promise<boolean> {
    const key = scanKey(req);
    if (this.seen.has(req)) return Promise.resolve(false);
    const running = this.inflight.get(key);
    if (running) return running.then(() => false);
    const p = (async () => {
      if (await this.deps.isKnown?.(req)) {
        this.seen.add(req);
        return false;
      }
      await this.deps.enqueueScan(req);
      this.seen.add(req);
      return true;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private watched(registry: string): WatchedRegistry | undefined {
    return this.deps.config.registries.find((r) => r.registry === registry);
  }

  /** The registries' notification tokens; one that cannot be unsealed does not stop the others. */
  private tokens(): { tokens: Map<string, string>; broken: BulwarkError[] } {
    const tokens = new Map<string, string>();
    const broken: BulwarkError[] = [];
    for (const r of this.deps.config.registries) {
      try {
        const token = r.notificationToken ? this.deps.secrets.get(r.notificationToken) : undefined;
        if (token) tokens.set(r.registry, token);
      } catch (e) {
        broken.push(err(e, r).error);
      }
    }
    return { tokens, broken };
  }

  /** Which registry sent it; when none matched and a token could not be read, that is the error to see. */
  private authenticate(headers: HeaderBag): string {
    const { tokens, broken } = this.tokens();
    try {
      return authenticate(headers, tokens);
    } catch (e) {
      throw broken[0] ?? e;
    }
  }

  private credentials(r: WatchedRegistry): Credentials | undefined {
    if (!r.credentials) return undefined;
    const text = this.deps.secrets.get(r.credentials);
    if (text === undefined)
      throw new BulwarkError('NOT_FOUND', `secret "${r.credentials}"`, `no such secret (credentials of ${r.registry})`);
    return parseSecretJson(text, CredentialsSecret, `secret "${r.credentials}"`);
  }

  private open(r: WatchedRegistry): Promise<PollClient & { close(): void }> {
    const creds = this.credentials(r);
    if (this.deps.openClient) return this.deps.openClient(r, creds);
    return RegistryClient.create(r.registry, {
      insecure: r.insecure,
      ...(r.caFile ? { caFile: r.caFile } : {}),
      // only the configured credentials: never the server user's docker config or environment
      env: {},
      credentials: () => (creds ? { credentials: creds, source: `watcher secret "${r.credentials}"` } : {}),
    });
  }
}

function err(e: unknown, r: WatchedRegistry, repository?: string): { error: BulwarkError } {
  const input = repository ? `${r.registry}/${repository}` : r.registry;
  return { error: isBulwarkError(e) ? e : new BulwarkError('REGISTRY', input, messageOf(e)) };
}

/** The HTTP status a notification endpoint answers for an error of handleNotification (the registry retries until 2xx). */
export function notificationStatus(e: unknown): number {
  if (!isBulwarkError(e)) return 500;
  const byCode: Partial<Record<BulwarkError['code'], number>> = {
    AUTH: 401,
    WRONG_TYPE: 415,
    TOO_LARGE: 413,
    CORRUPT: 400,
  };
  return byCode[e.code] ?? 500;
}
