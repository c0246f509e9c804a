/**
 * One Redis connection per target per process, shared by every plugin instance that counts there and kept
 * across config reloads (an instance of the new config acquires it before the old one releases it).
 * Commands never wait for a connection: the offline queue is off, so while Redis is away a call fails at
 * once and the caller counts locally; ioredis reconnects by itself, with backoff, for as long as it takes.
 * Counts made locally meanwhile are added to Redis once it is back, so counting resumes where it was.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@gw/plugin-api';
import { localCounters, type LocalCounters } from '../local-counters.js';
import { ADD_GET, HIT } from './scripts.js';
import { Timeout, within } from './within.js';

export interface RedisTarget {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  database: number;
  ssl: boolean;
  sslVerify: boolean;
  serverName?: string | undefined;
  /** ms to establish a connection. */
  connectTimeout: number;
}

interface Scripted {
  gwHit(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
  gwAddGet(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
}
export type ScriptedRedis = Redis & Scripted;

/** Counts made while Redis was away, to add once it is back: key → amount and when the key expires. */
type Pending = Map<string, { amount: number; expires: number }>;

/** Fault messages at most this often per connection (a down Redis under traffic would flood the log). */
const FAULT_LOG_MS = 30_000;
/** Keys per flush round trip. */
const FLUSH_BATCH = 500;
/**
 * How long charges wait for others to share their round trip. Requests end all the time under load; one
 * script call adds all of them, instead of a write, a read and a reply per request.
 */
const ADD_BATCH_MS = 2;

export interface SharedConnection {
  /** `host:port/db`, for messages (never the password). */
  readonly label: string;
  readonly redis: ScriptedRedis;
  /** The last counts Redis gave, and what was counted here while it was away. */
  readonly mirror: LocalCounters;
  /**
   * Add amounts, batched with other calls over a couple of milliseconds into one round trip; resolves once
   * they are in Redis, or counted here (Redis away or slower than `timeout`) to be added when it is back.
   */
  add(entries: readonly { key: string; amount: number; expires: number }[], timeout: number, now: number): Promise<void>;
  ready(): boolean;
  /** Resolves true once ready, false after `ms`. */
  whenReady(ms: number): Promise<boolean>;
  /** Remember local counts for Redis. */
  defer(key: string, amount: number, expires: number): void;
  /** Add the remembered counts now, if Redis is there. */
  flush(): void;
  /** A call failed or timed out: log it (at most once per interval), and reconnect after a timeout. */
  fault(reason: string, consequence: string, timedOut: boolean): void;
  release(): void;
}

interface Entry {
  connection: SharedConnection & { close(): Promise<void> };
  refs: number;
}

const REGISTRY = Symbol.for('gw.rate-limits.redis');
const registry: Map<string, Entry> = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new Map()) as Map<string, Entry>;

function targetKey(t: RedisTarget): string {
  const secret = t.password === undefined ? '' : createHash('sha256').update(t.password).digest('hex');
  return JSON.stringify([t.host, t.port, t.database, t.username ?? '', secret, t.ssl, t.sslVerify, t.serverName ?? '']);
}

export function redisOptions(t: RedisTarget): RedisOptions {
  return {
    host: t.host,
    port: t.port,
    db: t.database,
    username: t.username,
    password: t.password,
    tls: t.ssl ? { rejectUnauthorized: t.sslVerify, servername: t.serverName ?? t.host } : undefined,
    connectTimeout: t.connectTimeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    lazyConnect: false,
    // Commands of one tick (requests deciding at once) share a write.
    enableAutoPipelining: true,
  };
}

/** The shared connection to `target` (made on first use); `release()` once the instance is done with it. */
export function acquireConnection(target: RedisTarget, logger: Logger): SharedConnection {
  const key = targetKey(target);
  const known = registry.get(key);
  if (known !== undefined) {
    known.refs++;
    return known.connection;
  }
  const entry: Entry = {
    connection: openConnection(target, logger, () => {
      if (--entry.refs > 0) return;
      registry.delete(key);
      void entry.connection.close();
    }),
    refs: 1,
  };
  registry.set(key, entry);
  return entry.connection;
}

/** How long the last instance's release waits for remembered counts to reach Redis. */
const CLOSE_FLUSH_MS = 1_000;

function openConnection(target: RedisTarget, logger: Logger, release: () => void): SharedConnection & { close(): Promise<void> } {
  const label = `${target.host}:${target.port}/${target.database}`;
  const redis = new Redis(redisOptions(target)) as ScriptedRedis;
  redis.defineCommand('gwHit', { lua: HIT });
  redis.defineCommand('gwAddGet', { lua: ADD_GET });
  const pending: Pending = new Map();
  const mirror = localCounters(`redis:${label}`);
  let batch: { entries: Pending; timeout: number; done: Promise<void>; resolve: () => void } | undefined;
  let lastError = '';
  let faultLoggedAt = -Infinity;
  let degraded = false;
  // Without a listener ioredis prints every connection error; the fault log says it once per interval.
  redis.on('error', (err: Error) => {
    lastError = describeRedisError(err);
  });
  redis.on('ready', () => {
    if (degraded) {
      degraded = false;
      // The next outage is news: say so at once, not after what is left of this one's log interval.
      faultLoggedAt = -Infinity;
      logger.info(`redis ${label} is reachable again${pending.size > 0 ? `: adding ${pending.size} counts made meanwhile` : ''}`);
    }
    void flush();
  });

  async function flush(): Promise<void> {
    while (pending.size > 0 && redis.status === 'ready') {
      const now = Date.now();
      const batch: [string, { amount: number; expires: number }][] = [];
      for (const item of pending) {
        pending.delete(item[0]);
        if (item[1].expires > now) batch.push(item);
        if (batch.length === FLUSH_BATCH) break;
      }
      if (batch.length === 0) return;
      const args: (string | number)[] = batch.map(([k]) => k);
      for (const [, p] of batch) args.push(String(p.amount), ttlSeconds(p.expires, now));
      try {
        await redis.gwAddGet(batch.length, ...args);
      } catch (err) {
        for (const [k, p] of batch) defer(k, p.amount, p.expires);
        connection.fault(describeRedisError(err), 'counts made while it was away are kept for later', false);
        return;
      }
    }
  }

  function addSoon(entries: readonly { key: string; amount: number; expires: number }[], timeout: number, now: number): Promise<void> {
    if (redis.status !== 'ready') {
      connection.fault('not connected', 'counting in this process until it is back', false);
      for (const e of entries) {
        mirror.add(e.key, e.amount, e.expires, now);
        defer(e.key, e.amount, e.expires);
      }
      return Promise.resolve();
    }
    if (batch === undefined) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      batch = { entries: new Map(), timeout, done, resolve };
      setTimeout(() => void sendBatch(), ADD_BATCH_MS).unref();
    }
    for (const e of entries) {
      const known = batch.entries.get(e.key);
      if (known === undefined) batch.entries.set(e.key, { amount: e.amount, expires: e.expires });
      else known.amount += e.amount;
    }
    return batch.done;
  }

  async function sendBatch(): Promise<void> {
    const current = batch;
    if (current === undefined) return;
    batch = undefined;
    // Whatever happens below, the requests waiting on this batch go on (their log lines wait for it).
    try {
      await flushBatch(current);
    } finally {
      current.resolve();
    }
  }

  async function flushBatch(current: NonNullable<typeof batch>): Promise<void> {
    const items = [...current.entries];
    const now = Date.now();
    for (let i = 0; i < items.length; i += FLUSH_BATCH) {
      const chunk = items.slice(i, i + FLUSH_BATCH);
      const args: (string | number)[] = chunk.map(([k]) => k);
      for (const [, e] of chunk) args.push(String(e.amount), ttlSeconds(e.expires, now));
      try {
        const reply = await within(redis.gwAddGet(chunk.length, ...args), current.timeout);
        chunk.forEach(([k, e], j) => mirror.set(k, Number(reply[j]), e.expires));
      } catch (err) {
        connection.fault(describeRedisError(err), 'counting in this process until it is back', err instanceof Timeout);
        for (const [k, e] of chunk) {
          mirror.add(k, e.amount, e.expires, now);
          defer(k, e.amount, e.expires);
        }
      }
    }
  }

  function defer(key: string, amount: number, expires: number): void {
    const p = pending.get(key);
    if (p === undefined) pending.set(key, { amount, expires });
    else {
      p.amount += amount;
      p.expires = Math.max(p.expires, expires);
    }
  }

  const connection: SharedConnection & { close(): Promise<void> } = {
    label,
    redis,
    mirror,
    add: addSoon,
    ready: () => redis.status === 'ready',
    whenReady(ms) {
      if (redis.status === 'ready') return Promise.resolve(true);
      // One wait per outage: the instances of a config share the connection and start one after another.
      if (degraded) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          if (!ok) connection.fault('', 'not reachable yet; requests are counted in this process (or refused, where fault_tolerant is false) until it is', false);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), ms);
        timer.unref();
        redis.on('ready', onReady);
      });
    },
    defer,
    flush() {
      void flush();
    },
    async close() {
      if (batch !== undefined) await sendBatch();
      if (pending.size > 0 && redis.status === 'ready') {
        await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS).unref())]);
      }
      redis.disconnect();
    },
    fault(reason, consequence, timedOut) {
      degraded = true;
      const now = Date.now();
      if (now - faultLoggedAt >= FAULT_LOG_MS) {
        faultLoggedAt = now;
        logger.error(`redis ${label} unavailable (${reason || lastError || 'not connected'}): ${consequence}`);
      }
      // As Kong's cosockets do, a connection that timed out is closed: a stuck server gets a fresh
      // connection instead of an ever longer queue of commands.
      if (timedOut && redis.status === 'ready') redis.disconnect(true);
    },
    release,
  };
  return connection;
}

/** Seconds for EXPIRE: until `expires`, at least 1. */
export function ttlSeconds(expires: number, now: number): number {
  return Math.max(1, Math.ceil((expires - now) / 1000));
}

/** An error for the operator's log, without anything from the connection options. */
export function describeRedisError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
