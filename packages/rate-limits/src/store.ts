/**
 * Where counts live: a `CounterStore` adds to and reads counters by key. `local` counts in this process;
 * `redis` counts in Redis, shared by every replica, one atomic round trip per call (realtime), or in this
 * process with a sync to Redis every `sync_rate` seconds (synced-store.ts).
 */
import { localCounters, type LocalCounters } from './local-counters.js';

export interface CounterKey {
  key: string;
  /** ms since the epoch after which the count no longer matters (its window and, sliding, the next one are over). */
  expires: number;
}

export interface HitEntry extends CounterKey {
  limit: number;
}

export interface HitResult {
  allowed: boolean;
  /** Per entry: the count after this hit when allowed, the count that refused it otherwise. */
  counts: number[];
  /** Decided on this process's counts because Redis was away (fault tolerant). */
  offline?: boolean;
}

export interface CounterStore {
  /** Refused when any counter is at or over its limit; otherwise `amount` is added to every counter. */
  hit(entries: readonly HitEntry[], amount: number, now: number): HitResult | Promise<HitResult>;
  read(keys: readonly CounterKey[], now: number): number[] | Promise<number[]>;
  add(entries: readonly (CounterKey & { amount: number })[], now: number): void | Promise<void>;
  /** The instance is done with the store (its config retired). */
  release(): void;
  /** Resolves once a remote store is connected (true), or after `ms` (false); absent for local stores. */
  whenReady?(ms: number): Promise<boolean>;
}

/** The store could not be reached and the plugin is not fault tolerant: the request gets a 500, as in Kong. */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/** Counting in `counters` (no Redis, or Redis away). */
export function hitLocally(counters: LocalCounters, entries: readonly HitEntry[], amount: number, now: number): HitResult {
  const counts = entries.map((e) => counters.get(e.key, now));
  if (entries.some((e, i) => counts[i] >= e.limit)) return { allowed: false, counts };
  return { allowed: true, counts: entries.map((e) => counters.add(e.key, amount, e.expires, now)) };
}

/** The `local` policy: counts in this process only, kept across config reloads. */
export function localStore(space = 'local'): CounterStore {
  const counters = localCounters(space);
  return {
    hit: (entries, amount, now) => hitLocally(counters, entries, amount, now),
    read: (keys, now) => keys.map((k) => counters.get(k.key, now)),
    add(entries, now) {
      for (const e of entries) counters.add(e.key, e.amount, e.expires, now);
    },
    release() {},
  };
}
