// Refuses an address for a while after too many failed authentications in a window, so a
// token cannot be guessed and the audit log cannot be flooded. Memory stays bounded: at most
// `maxTracked` addresses, the stalest dropped first. IPv6 clients count per /64 (one host
// usually holds a whole /64 and could rotate through it).

export interface LimiterOptions {
  /** Failures allowed in a window; the next one blocks. */
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  maxTracked: number;
  now: () => number;
}

const DEFAULT_LIMITS: LimiterOptions = {
  maxFailures: 10,
  windowMs: 60_000,
  blockMs: 5 * 60_000,
  maxTracked: 10_000,
  now: Date.now,
};

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

/** The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly o: LimiterOptions;

  constructor(options: Partial<LimiterOptions> = {}) {
    this.o = { ...DEFAULT_LIMITS, ...options };
  }

  /** Milliseconds this address stays refused (0: not refused). */
  blockedFor(address: string): number {
    const e = this.entries.get(clientKey(address));
    return e ? Math.max(0, e.blockedUntil - this.o.now()) : 0;
  }

  /** Counts a failure; true when it starts a block. */
  fail(address: string): boolean {
    const key = clientKey(address);
    const now = this.o.now();
    let e = this.entries.get(key);
    if (!e || now - e.windowStart >= this.o.windowMs)
      e = { windowStart: now, failures: 0, blockedUntil: e?.blockedUntil ?? 0 };
    e.failures++;
    // re-inserted: the map's order is least recently failed first
    this.entries.delete(key);
    this.entries.set(key, e);
    this.prune(now);
    if (e.failures <= this.o.maxFailures || e.blockedUntil > now) return false;
    e.blockedUntil = now + this.o.blockMs;
    return true;
  }

  private prune(now: number): void {
    if (this.entries.size <= this.o.maxTracked) return;
    for (const [key, e] of this.entries)
      if (now - e.windowStart >= this.o.windowMs && e.blockedUntil <= now) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.o.maxTracked) break;
      this.entries.delete(key);
    }
  }
}
