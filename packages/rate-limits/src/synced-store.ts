/**
 * Kong's `sync_rate` above 0: counts are kept in this process and synced with Redis every `sync_rate`
 * seconds, so a request costs no Redis round trip. A key first seen is read from Redis at once (as Kong
 * does); after that a request is decided on the last synced total plus what this replica counted since.
 * Each sync is one round trip: every count made here is added, and every key in use read back, so the
 * other replicas' traffic shows up within one interval. Limits hold within what all replicas can count
 * in one interval (Kong documents the same overshoot).
 */
import type { Logger } from '@gw/plugin-api';
import { LocalCounters } from './local-counters.js';
import { describeRedisError, ttlSeconds } from './redis/connection.js';
import { redisStore, type RedisStoreOptions } from './redis-store.js';
import { hitLocally, type CounterKey, type CounterStore } from './store.js';

export interface SyncedStoreOptions extends RedisStoreOptions {
  /** Seconds between syncs. */
  syncRate: number;
  logger: Logger;
}

const SYNC_BATCH = 500;

export function syncedStore(options: SyncedStoreOptions): CounterStore {
  const realtime = redisStore(options);
  const { connection } = realtime;
  // The totals this replica decides on: Redis's last word plus what was counted here since.
  const view = new LocalCounters();
  // Counted here, not yet in Redis.
  const deltas = new Map<string, { amount: number; expires: number }>();
  // Keys read since the last sync, to refresh.
  const watched = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let syncing = false;
  let released = false;

  const known = async (keys: readonly CounterKey[], now: number): Promise<void> => {
    const missing = keys.filter((k) => !view.has(k.key, now));
    if (missing.length > 0) {
      const values = await realtime.read(missing, now);
      missing.forEach((k, i) => view.set(k.key, values[i], k.expires));
    }
    for (const k of keys) watched.set(k.key, k.expires);
    schedule();
  };

  const remember = (key: string, amount: number, expires: number) => {
    const d = deltas.get(key);
    if (d === undefined) deltas.set(key, { amount, expires });
    else d.amount += amount;
  };

  function schedule(): void {
    if (timer !== undefined || released) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, options.syncRate * 1000);
    timer.unref();
  }

  async function sync(): Promise<void> {
    if (released) return;
    if (syncing) return schedule();
    syncing = true;
    try {
      const now = Date.now();
      const keys = new Map<string, number>(watched);
      for (const [k, d] of deltas) keys.set(k, d.expires);
      watched.clear();
      const batch = [...keys].filter(([, expires]) => expires > now);
      for (let i = 0; i < batch.length; i += SYNC_BATCH) await syncBatch(batch.slice(i, i + SYNC_BATCH), now);
    } finally {
      syncing = false;
    }
    if (deltas.size > 0 || watched.size > 0) schedule();
  }

  async function syncBatch(batch: [string, number][], now: number): Promise<void> {
    if (released) return;
    const sent = batch.map(([k]) => deltas.get(k)?.amount ?? 0);
    if (!connection.ready()) {
      connection.fault('not connected', 'counting in this process until it is back', false);
      return;
    }
    const args: (string | number)[] = batch.map(([k]) => k);
    batch.forEach(([, expires], i) => args.push(String(sent[i]), ttlSeconds(expires, now)));
    let reply: string[];
    try {
      reply = await connection.redis.gwAddGet(batch.length, ...args);
    } catch (err) {
      connection.fault(describeRedisError(err), 'counting in this process until it is back', false);
      return;
    }
    batch.forEach(([k, expires], i) => {
      const d = deltas.get(k);
      // What was counted here while the sync was in flight stays for the next one.
      const since = d === undefined ? 0 : d.amount - sent[i];
      if (d !== undefined) {
        if (since === 0) deltas.delete(k);
        else d.amount = since;
      }
      view.set(k, Number(reply[i]) + since, expires);
    });
  }

  return {
    async hit(entries, amount, now) {
      await known(entries, now);
      const result = hitLocally(view, entries, amount, now);
      // hitLocally added to the view already; remember the amounts for Redis.
      if (result.allowed) for (const e of entries) remember(e.key, amount, e.expires);
      return result;
    },
    async read(keys, now) {
      await known(keys, now);
      return keys.map((k) => view.get(k.key, now));
    },
    add(entries, now) {
      for (const e of entries) {
        if (e.amount === 0) continue;
        view.add(e.key, e.amount, e.expires, now);
        remember(e.key, e.amount, e.expires);
      }
      schedule();
    },
    release() {
      released = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      // Counts not yet synced go to Redis through the connection's pending list.
      for (const [k, d] of deltas) connection.defer(k, d.amount, d.expires);
      deltas.clear();
      connection.flush();
      realtime.release();
    },
    whenReady: (ms) => connection.whenReady(ms),
  };
}
