/**
 * Counting in Redis, every call one atomic round trip (a Lua script over all the request's keys). A call
 * that fails, or takes longer than the instance's timeout, never holds the request: fault tolerant, the
 * request is counted in this process (from the last counts Redis gave, plus what this replica sees) and
 * the count is added to Redis once it is back; otherwise the call throws StoreUnavailable (a 500).
 */
import type { Logger } from '@gw/plugin-api';
import { acquireConnection, describeRedisError, ttlSeconds, type RedisTarget, type SharedConnection } from './redis/connection.js';
import { Timeout, within } from './redis/within.js';
import { hitLocally, StoreUnavailable, type CounterStore, type HitEntry, type HitResult } from './store.js';

export interface RedisStoreOptions {
  target: RedisTarget;
  /** ms a call may take. */
  timeout: number;
  faultTolerant: boolean;
  logger: Logger;
}

export function redisStore(options: RedisStoreOptions): CounterStore & { connection: SharedConnection } {
  const connection = acquireConnection(options.target, options.logger);
  // The last counts Redis gave, and what was counted here while it was away.
  const { mirror } = connection;
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
    add(entries, now) {
      // Batched with the other requests' charges: the response is over, nobody waits for it but the log.
      const live = entries.filter((e) => e.amount !== 0);
      return live.length === 0 ? undefined : connection.add(live, timeout, now);
    },
    release: () => connection.release(),
    whenReady: (ms) => connection.whenReady(ms),
  };
}

