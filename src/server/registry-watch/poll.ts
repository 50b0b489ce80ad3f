import { BulwarkError, isBulwarkError, messageOf } from '../../core/errors.js';
import type { RegistryClient } from '../../registry/client.js';

// The fallback when notifications are off or lost: list a repository's tags (the client
// follows Link pages), HEAD each tag's manifest with a few requests in flight, and return
// the digests not known yet. Bounded in tags, concurrency and time; a tag that fails is
// reported with its error and the rest still count (a later poll retries it).

export type PollClient = Pick<RegistryClient, 'registry' | 'listTags' | 'headManifest' | 'listRepositories'>;

export interface PollOptions {
  /** Most tags looked at per repository (default 10,000); more are reported, not looked at. */
  maxTags?: number;
  /** Manifest requests in flight (default 4). */
  concurrency?: number;
  /** Whole poll of the repository (default 120 s). */
  timeoutMs?: number;
  /** Tags per page asked of the registry (default 1,000). */
  pageSize?: number;
}

interface FoundDigest {
  digest: string;
  mediaType: string;
  /** Tags pointing at it, sorted. */
  tags: string[];
}

export interface PollResult {
  repository: string;
  /** Tags the registry listed. */
  tagCount: number;
  /** Digests not in knownDigests. */
  found: FoundDigest[];
  /** Tags whose manifest could not be read, or were not looked at (limit or time). */
  failed: { tag: string; error: BulwarkError }[];
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function withDeadline<T>(p: Promise<T>, deadline: number, input: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BulwarkError('NETWORK', input, `${what} did not finish in time`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const coded = (e: unknown, input: string): BulwarkError =>
  isBulwarkError(e) ? e : new BulwarkError('REGISTRY', input, messageOf(e));

export async function pollRepository(
  client: PollClient,
  repository: string,
  knownDigests: ReadonlySet<string>,
  opts: PollOptions = {},
): Promise<PollResult> {
  const input = `${client.registry}/${repository}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const all = await withDeadline(client.listTags(repository, opts.pageSize ?? 1000), deadline, input, 'tag listing');
  const tags = [...new Set(all)].sort();
  const maxTags = opts.maxTags ?? 10_000;
  const failed: PollResult['failed'] = tags
    .slice(maxTags)
    .map((tag) => ({ tag, error: new BulwarkError('TOO_LARGE', `${input}:${tag}`, `past the ${maxTags}-tag limit`) }));
  const found = new Map<string, FoundDigest>();
  const queue = tags.slice(0, maxTags);
  const worker = async (): Promise<void> => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      const ref = `${input}:${tag}`;
      try {
        if (Date.now() >= deadline) throw new BulwarkError('NETWORK', ref, 'not looked at: the poll ran out of time');
        const m = await withDeadline(client.headManifest(repository, tag), deadline, ref, 'manifest request');
        if (!m) continue; // deleted since the listing
        if (!DIGEST.test(m.digest))
          throw new BulwarkError('CORRUPT', ref, `the registry gave "${m.digest.slice(0, 80)}" as the digest`);
        if (knownDigests.has(m.digest)) continue;
        const f = found.get(m.digest) ?? { digest: m.digest, mediaType: m.mediaType, tags: [] };
        f.tags.push(tag);
        found.set(m.digest, f);
      } catch (e) {
        failed.push({ tag, error: coded(e, ref) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  for (const f of found.values()) f.tags.sort();
  return { repository, tagCount: tags.length, found: [...found.values()], failed };
}
