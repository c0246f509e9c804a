/**
 * The Redis stores against a real redis-server: atomic counting shared by two stores (two replicas),
 * namespaced keys that expire, a refused hit that counts nothing, and faults: a dead Redis never holds a
 * call, fault tolerant counts locally and adds those counts to Redis once it is back, not fault tolerant
 * throws StoreUnavailable; a connection is shared by every store on one target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../../../test/support/redis-server.js';
import { redisStore, StoreUnavailable, syncedStore, type CounterStore, type RedisTarget } from '../src/index.js';

const logged: string[] = [];
const logger = { info: (m: string) => logged.push(`info ${m}`), warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };

let server: RedisServer;
let inspect: Redis;
let target: RedisTarget;
const unique = (name: string) => `test:${name}:${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  server = await startRedisServer();
  inspect = new Redis(server.url, { lazyConnect: false });
  inspect.on('error', () => {}); // killed on purpose below
  target = { host: '127.0.0.1', port: server.port, database: 0, ssl: false, sslVerify: true, connectTimeout: 500 };
});
afterAll(async () => {
  inspect?.disconnect();
  await server?.stop();
});

async function ready(store: CounterStore): Promise<CounterStore> {
  expect(await store.whenReady!(2_000)).toBe(true);
  return store;
}

describe('redis store (realtime)', () => {
  it('two stores (two replicas) count into one counter, atomically, and a refused hit counts nothing', async () => {
    const a = await ready(redisStore({ target, timeout: 500, faultTolerant: true, logger }));
    const b = await ready(redisStore({ target, timeout: 500, faultTolerant: true, logger }));
    const key = unique('hit');
    const now = Date.now();
    const entries = [{ key, limit: 10, expires: now + 60_000 }];
    const results = await Promise.all(Array.from({ length: 15 }, async (_, i) => (i % 2 ? a : b).hit(entries, 1, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.filter((r) => !r.allowed).every((r) => r.counts[0] === 10)).toBe(true);
    expect(await inspect.get(key)).toBe('10');
    const ttl = await inspect.ttl(key);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    a.release();
    b.release();
  });

  it('adds amounts with fractions (money) and reads them back in one round trip', async () => {
    const store = await ready(redisStore({ target, timeout: 500, faultTolerant: true, logger }));
    const k1 = unique('cost');
    const k2 = unique('tokens');
    const now = Date.now();
    await store.add([{ key: k1, amount: 0.000105, expires: now + 10_000 }, { key: k2, amount: 1234, expires: now + 10_000 }], now);
    await store.add([{ key: k1, amount: 0.25, expires: now + 10_000 }], now);
    expect(await store.read([{ key: k1, expires: now + 10_000 }, { key: k2, expires: now + 10_000 }, { key: unique('none'), expires: now + 10_000 }], now)).toEqual([0.250105, 1234, 0]);
    store.release();
  });

  it('synced (sync_rate): counts here, adds to Redis and reads the others\' counts every interval', async () => {
    const a = await ready(syncedStore({ target, timeout: 500, faultTolerant: true, logger, syncRate: 0.05 }));
    const b = await ready(syncedStore({ target, timeout: 500, faultTolerant: true, logger, syncRate: 0.05 }));
    const key = unique('synced');
    const now = Date.now();
    const entries = [{ key, limit: 100, expires: now + 60_000 }];
    for (let i = 0; i < 3; i++) await a.hit(entries, 1, now);
    await b.hit(entries, 1, now);
    // Both synced: Redis has all four, and each replica decides on all four.
    await waitFor(async () => (await inspect.get(key)) === '4');
    await waitFor(async () => (await a.read([entries[0]], now))[0] === 4 && (await b.read([entries[0]], now))[0] === 4);
    a.release();
    b.release();
  });
});

describe('redis faults', () => {
  it('a failing AUTH is logged without the password', async () => {
    logged.length = 0;
    const secret = 'never-log-this-redis-password';
    const store = redisStore({ target: { ...target, username: 'gw-no-such-user', password: secret }, timeout: 300, faultTolerant: true, logger });
    expect(await store.whenReady!(1_000)).toBe(false);
    const result = await store.hit([{ key: unique('auth'), limit: 5, expires: Date.now() + 1_000 }], 1, Date.now());
    expect(result.offline).toBe(true);
    expect(logged.some((l) => l.startsWith('error redis'))).toBe(true);
    expect(logged.join('\n')).not.toContain(secret);
    store.release();
  });

  it('fault tolerant: a dead Redis counts locally at once, logs it once, and the counts reach Redis when it is back', async () => {
    logged.length = 0;
    const store = await ready(redisStore({ target, timeout: 300, faultTolerant: true, logger }));
    const key = unique('outage');
    const now = Date.now();
    const entries = [{ key, limit: 5, expires: now + 120_000 }];
    expect((await store.hit(entries, 1, now)).counts).toEqual([1]);
    await server.kill();
    const during = [];
    for (let i = 0; i < 6; i++) during.push(await store.hit(entries, 1, now));
    // The last count Redis gave (1), plus this replica's: the limit still holds during the outage.
    expect(during.map((r) => r.allowed)).toEqual([true, true, true, true, false, false]);
    expect(during.every((r) => r.offline)).toBe(true);
    expect(logged.filter((l) => l.startsWith('error redis') && l.includes('counting in this process'))).toHaveLength(1);
    await server.start();
    // A fresh Redis (no persistence) gets the 4 counted meanwhile, and counting resumes from there.
    await waitFor(async () => (await inspect.get(key).catch(() => null)) === '4');
    await waitFor(async () => (await store.hit(entries, 1, now)).offline !== true);
    expect(await inspect.get(key)).toBe('5');
    expect(logged.some((l) => l.startsWith('info redis') && l.includes('reachable again'))).toBe(true);
    store.release();
  });

  it('a second outage soon after the first is logged at once: the log interval ends when Redis is back', async () => {
    logged.length = 0;
    const store = await ready(redisStore({ target, timeout: 300, faultTolerant: true, logger }));
    const entries = [{ key: unique('twice'), limit: 50, expires: Date.now() + 120_000 }];
    const faults = () => logged.filter((l) => l.startsWith('error redis') && l.includes('counting in this process'));
    for (let outage = 1; outage <= 2; outage++) {
      await server.kill();
      await store.hit(entries, 1, Date.now());
      expect(faults()).toHaveLength(outage);
      await server.start();
      await waitFor(async () => (await store.hit(entries, 1, Date.now())).offline !== true);
    }
    store.release();
  });

  it('not fault tolerant: a dead Redis throws StoreUnavailable without waiting for the timeout', async () => {
    // A timeout longer than the test's: the call settles only if it doesn't wait for it.
    const store = await ready(redisStore({ target, timeout: 600_000, faultTolerant: false, logger }));
    await server.kill();
    const err = await Promise.resolve(store.hit([{ key: unique('x'), limit: 5, expires: Date.now() + 1_000 }], 1, Date.now())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailable);
    await server.start();
    await waitFor(async () => (await Promise.resolve(store.hit([{ key: unique('y'), limit: 5, expires: Date.now() + 1_000 }], 1, Date.now())).catch(() => undefined)) !== undefined);
    store.release();
  });

  it('a Redis that does not answer is given up on after the timeout, and the connection is made again', async () => {
    const store = await ready(redisStore({ target, timeout: 200, faultTolerant: true, logger }));
    const paused = new Redis(server.url);
    paused.on('error', () => {});
    // CLIENT PAUSE stops the server answering every client but this one's own command.
    await paused.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const key = unique('slow');
    const result = await store.hit([{ key, limit: 5, expires: Date.now() + 60_000 }], 1, Date.now());
    expect(result).toMatchObject({ allowed: true, offline: true });
    paused.disconnect();
    await waitFor(async () => (await store.hit([{ key, limit: 5, expires: Date.now() + 60_000 }], 1, Date.now())).offline !== true, 100);
    store.release();
  });
});

async function waitFor(check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met');
}
