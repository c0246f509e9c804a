/**
 * Counters in this process's memory (Kong's `kong_rate_limiting_counters` shared dict): the `local`
 * policy's counts, and the Redis policy's last known counts for when Redis is away. Named spaces live as
 * long as the process, so a config reload (SIGHUP) keeps everyone's counts; expired entries are swept.
 */

interface Entry {
  value: number;
  /** ms since the epoch. */
  expires: number;
}

export class LocalCounters {
  private readonly entries = new Map<string, Entry>();

  get(key: string, now: number): number {
    const e = this.entries.get(key);
    return e === undefined || e.expires <= now ? 0 : e.value;
  }

  /** Whether the key holds a live entry (a 0 read from Redis counts). */
  has(key: string, now: number): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.expires > now;
  }

  /** Adds `amount` (a new or expired entry starts at 0 and lives until `expires`); returns the new value. */
  add(key: string, amount: number, expires: number, now: number): number {
    const e = this.entries.get(key);
    if (e === undefined || e.expires <= now) {
      this.entries.set(key, { value: amount, expires });
      return amount;
    }
    e.value += amount;
    return e.value;
  }

  /** Sets the value, e.g. the count Redis just answered. */
  set(key: string, value: number, expires: number): void {
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, { value, expires });
    else {
      e.value = value;
      e.expires = Math.max(e.expires, expires);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  sweep(now: number): void {
    for (const [key, e] of this.entries) if (e.expires <= now) this.entries.delete(key);
  }
}

const SWEEP_MS = 10_000;
const REGISTRY = Symbol.for('gw.rate-limits.local-counters');
interface Registry {
  spaces: Map<string, LocalCounters>;
  timer: NodeJS.Timeout | undefined;
}
const registry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= { spaces: new Map(), timer: undefined }) as Registry;

/** The process-wide counters of one space (a policy and its Redis target, say): the same object on every call. */
export function localCounters(space: string): LocalCounters {
  let counters = registry.spaces.get(space);
  if (counters === undefined) {
    counters = new LocalCounters();
    registry.spaces.set(space, counters);
  }
  if (registry.timer === undefined) {
    registry.timer = setInterval(() => {
      const now = Date.now();
      for (const c of registry.spaces.values()) c.sweep(now);
    }, SWEEP_MS);
    registry.timer.unref();
  }
  return counters;
}
