/**
 * Counting in Redis, every call one atomic round trip (a Lua script over all the request's keys). A call
 * that fails, or takes longer than the instance's timeout, never holds the request: fault tolerant, the
 * request is counted in this process (from the last counts Redis gave, plus what this replica sees) and
 * the count is added to Redis once it is back; otherwise the call throws StoreUnavailable (a 500).
 */
import type { Logger } from '@gw/plugin-api';
import { localCounters } from './local-counters.js';
import { acquireConnection, describeRedisError, ttlSeconds, type RedisTarget, type SharedConnection } from './redis/connection.js';
import { hitLocally, StoreUnavailable, type CounterKey, type CounterStore, type HitEntry, type HitResult } from './store.js';

export interface RedisStoreOptions {
  target: RedisTarget;
  /** ms a call may take. */
  timeout: number;
  faultTolerant: boolean;
  logger: Logger;
}

class Timeout extends Error {}

/** `promise`, or a Timeout rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function redisStore(options: RedisStoreOptions): CounterStore & { connection: SharedConnection } {
  const connection = acquireConnection(options.target, options.logger);
  // The last counts Redis gave, and what was counted here while it was away.
  const mirror = localCounters(`redis:${connection.label}`);
  const { timeout, faultTolerant } = options;
  const consequence = faultTolerant ? 'counting in this process until it is back' : 'answering 500 (fault_tolerant is false)';

  /** Redis failed: a 500 when not fault tolerant; otherwise the caller counts locally. */
  const failed = (err: unknown): void => {
    connection.fault(describeRedisError(err), consequence, err instanceof Timeout);
    if (!faultTolerant) throw new StoreUnavailable(`redis ${connection.label}: ${describeRedisError(err)}`);
  };
  const unavailable = (): void => failed(new Error('not connected'));

  const hitOffline = (entries: readonly HitEntry[], amount: number, now: number): HitResult => {
    const result = hitLocally(mirror, entries, amount, now);
    if (result.allowed) for (const e of entries) connection.defer(e.key, amount, e.expires);
    result.offline = true;
    return result;
  };

  return {
    connection,
    async hit(entries, amount, now) {
      if (!connection.ready()) {
        unavailable();
        return hitOffline(entries, amount, now);
      }
      const args: (string | number)[] = entries.map((e) => e.key);
      args.push(String(amount));
      for (const e of entries) args.push(String(e.limit));
      for (const e of entries) args.push(ttlSeconds(e.expires, now));
      let reply: string[];
      try {
        reply = await within(connection.redis.gwHit(entries.length, ...args), timeout);
      } catch (err) {
        failed(err);
        return hitOffline(entries, amount, now);
      }
      const counts = entries.map((e, i) => {
        const value = Number(reply[i + 1]);
        mirror.set(e.key, value, e.expires);
        return value;
      });
      return { allowed: reply[0] === '1', counts };
    },
    async read(keys, now) {
      if (!connection.ready()) {
        unavailable();
        return keys.map((k) => mirror.get(k.key, now));
      }
      let reply: (string | null)[];
      try {
        reply = await within(connection.redis.mget(...keys.map((k) => k.key)), timeout);
      } catch (err) {
        failed(err);
        return keys.map((k) => mirror.get(k.key, now));
      }
      return keys.map((k, i) => {
        const value = reply[i] === null ? 0 : Number(reply[i]);
        mirror.set(k.key, value, k.expires);
        return value;
      });
    },
    async add(entries, now) {
      const live = entries.filter((e) => e.amount !== 0);
      if (live.length === 0) return;
      const offline = () => {
        for (const e of live) {
          mirror.add(e.key, e.amount, e.expires, now);
          connection.defer(e.key, e.amount, e.expires);
        }
      };
      if (!connection.ready()) {
        // What was used is counted whatever fault_tolerant says: the request is over.
        connection.fault('not connected', 'counting in this process until it is back', false);
        return offline();
      }
      const args: (string | number)[] = live.map((e) => e.key);
      for (const e of live) args.push(String(e.amount), ttlSeconds(e.expires, now));
      try {
        const reply = await within(connection.redis.gwAddGet(live.length, ...args), timeout);
        live.forEach((e, i) => mirror.set(e.key, Number(reply[i]), e.expires));
      } catch (err) {
        connection.fault(describeRedisError(err), 'counting in this process until it is back', err instanceof Timeout);
        offline();
      }
    },
    release: () => connection.release(),
    whenReady: (ms) => connection.whenReady(ms),
  };
}

export type { CounterKey };
