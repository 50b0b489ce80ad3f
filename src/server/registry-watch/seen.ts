import type { ScanRequest } from './triage.js';

// Digests the watcher has handed to the scan queue, per registry and repository, so a
// digest found by a notification and again by a poll (or twice by either) is queued once.
// Bounded: past `perRepository` digests a repository forgets its oldest (the queue's own
// idempotency, or the injected isKnown, still stops a second scan).

export class SeenDigests {
  private readonly repos = new Map<string, Set<string>>();
  constructor(private readonly perRepository = 10_000) {}

  private static key(registry: string, repository: string): string {
    return `${registry}/${repository}`;
  }

  has(r: ScanRequest): boolean {
    return this.repos.get(SeenDigests.key(r.registry, r.repository))?.has(r.digest) ?? false;
  }

  add(r: ScanRequest): void {
    const key = SeenDigests.key(r.registry, r.repository);
    let set = this.repos.get(key);
    if (!set) this.repos.set(key, (set = new Set()));
    set.delete(r.digest);
    set.add(r.digest);
    if (set.size > this.perRepository) set.delete(set.values().next().value!);
  }

  digestsOf(registry: string, repository: string): ReadonlySet<string> {
    return this.repos.get(SeenDigests.key(registry, repository)) ?? new Set();
  }
}
