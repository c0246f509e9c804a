/**
 * rate-limiting with policy redis across two real gw processes sharing one real redis-server: a consumer
 * over its limit is refused by both, another is not; then Redis is killed and restarted mid-run, on a
 * route with fault_tolerant true (served, and still limited, from local counts; the counts reach Redis
 * when it is back) and one with false (500, as Kong).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startGw, type GwProcess } from '../support/gw-process.js';
import { roomInWindow } from './support/windows.js';

function config(upstream: number, redisPort: number): string {
  const redis = `{host: 127.0.0.1, port: ${redisPort}, timeout: 500}`;
  return `_format_version: "3.0"
consumers:
  - username: alice
    keyauth_credentials: [{key: alice-key}]
  - username: bob
    keyauth_credentials: [{key: bob-key}]
services:
  - name: echo
    url: http://127.0.0.1:${upstream}
    routes:
      - name: shared
        paths: [/shared]
        plugins:
          - name: rate-limiting
            config: {minute: 3, policy: redis, redis: ${redis}}
      - name: tolerant
        paths: [/tolerant]
        plugins:
          - name: rate-limiting
            config: {minute: 4, policy: redis, fault_tolerant: true, redis: ${redis}}
      - name: strict
        paths: [/strict]
        plugins:
          - name: rate-limiting
            config: {minute: 100, policy: redis, fault_tolerant: false, redis: ${redis}}
plugins:
  - name: key-auth
`;
}

describe('rate-limiting, policy redis, two gw processes', () => {
  let upstream: http.Server;
  let redis: RedisServer;
  let inspect: Redis;
  let one: GwProcess;
  let two: GwProcess;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    redis = await startRedisServer();
    inspect = new Redis(redis.url);
    inspect.on('error', () => {}); // killed on purpose below
    const yaml = config((upstream.address() as AddressInfo).port, redis.port);
    [one, two] = await Promise.all([startGw(yaml), startGw(yaml)]);
    await roomInWindow(60, 20);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    inspect?.disconnect();
    await redis?.stop();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  const get = async (gw: GwProcess, path: string, key: string) => {
    const res = await fetch(`${gw.url}${path}`, { headers: { apikey: key } });
    return { status: res.status, remaining: res.headers.get('x-ratelimit-remaining-minute'), body: await res.text() };
  };

  it('a consumer over its limit is refused by both processes; another consumer is not', async () => {
    const seen = [await get(one, '/shared', 'alice-key'), await get(two, '/shared', 'alice-key'), await get(one, '/shared', 'alice-key')];
    expect(seen.map((r) => [r.status, r.remaining])).toEqual([[200, '2'], [200, '1'], [200, '0']]);
    expect((await get(two, '/shared', 'alice-key')).status).toBe(429);
    expect((await get(one, '/shared', 'alice-key')).status).toBe(429);
    expect((await get(two, '/shared', 'bob-key')).status).toBe(200);
    // Kong's key layout: ratelimit:<route>:<service>:<consumer id>:<window start>:minute, expiring.
    const keys = await inspect.keys('ratelimit:*:minute');
    expect(keys.length).toBe(2);
    for (const key of keys) expect(await inspect.ttl(key)).toBeGreaterThan(0);
  });

  it('Redis killed mid-run: fault_tolerant true serves and limits from local counts, false answers 500; restarted, counting resumes in Redis', async () => {
    expect((await get(one, '/tolerant', 'alice-key')).status).toBe(200);
    expect((await get(two, '/tolerant', 'alice-key')).status).toBe(200);
    expect((await get(one, '/strict', 'alice-key')).status).toBe(200);
    await redis.kill();

    // A process goes on from the last count Redis gave it (1 for this one), plus its own: the limit of 4 holds in each.
    const during = [];
    for (let i = 0; i < 4; i++) during.push(await get(one, '/tolerant', 'alice-key'));
    expect(during.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const strict = await get(two, '/strict', 'alice-key');
    expect(strict.status).toBe(500);
    expect(JSON.parse(strict.body)).toEqual({ message: 'An unexpected error occurred' });
    expect(one.output()).toMatch(/redis 127\.0\.0\.1:\d+\/0 unavailable \(.*\): counting in this process until it is back/);
    expect(two.output()).toMatch(/answering 500 \(fault_tolerant is false\)/);

    await redis.start();
    // Back: the strict route is served again, and the three counted during the outage reached the fresh Redis.
    await eventuallyAsync(async () => (await get(two, '/strict', 'alice-key')).status === 200, 'the strict route served again');
    await eventuallyAsync(async () => {
      const keys = await inspect.keys('ratelimit:*:minute');
      const values = await Promise.all(keys.map((k) => inspect.get(k)));
      return values.includes('3');
    }, 'the outage counts in Redis');
    // Counting resumes in Redis: the 3 from the outage plus 1 more reach the limit of 4, for both processes.
    expect((await get(two, '/tolerant', 'alice-key')).status).toBe(200);
    expect((await get(one, '/tolerant', 'alice-key')).status).toBe(429);
    expect((await get(two, '/tolerant', 'alice-key')).status).toBe(429);
    expect(one.output()).toMatch(/is reachable again/);
  }, 30_000);
});

async function eventuallyAsync(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
