import type { AdvisorySource } from '../../match/matcher.js';
import type { OsvRecord } from '../../vulndb/osv.js';

// A re-match of a fleet asks the DB about the same packages thousands of times (images share
// base layers and libraries); parsing each record's JSON once per re-match, not once per
// image, is most of the speed-up. Bounded: past `limit` names the oldest answers are dropped.

class Bounded<T> {
  private readonly m = new Map<string, T>();
  constructor(private readonly limit: number) {}

  get(key: string, load: () => T): T {
    const hit = this.m.get(key);
    if (hit !== undefined) return hit;
    const v = load();
    if (this.m.size >= this.limit) this.m.delete(this.m.keys().next().value!);
    this.m.set(key, v);
    return v;
  }
}

/** `source` with its answers kept for the length of one re-match (the DB must not change meanwhile). */
export function cachedSource(source: AdvisorySource, limit = 50_000): AdvisorySource {
  const records = new Bounded<OsvRecord[]>(limit);
  const naming = new Bounded<OsvRecord[]>(limit);
  const ecosystems = new Bounded<boolean>(1_000);
  const { hasEcosystem, recordsNaming } = source;
  return {
    advisoriesFor: (eco, name) => records.get(`${eco}\u0000${name}`, () => source.advisoriesFor(eco, name)),
    ...(hasEcosystem ? { hasEcosystem: (eco) => ecosystems.get(eco, () => hasEcosystem.call(source, eco)) } : {}),
    ...(recordsNaming ? { recordsNaming: (id) => naming.get(id, () => recordsNaming.call(source, id)) } : {}),
  };
}
