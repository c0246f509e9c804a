/**
 * ai-rate-limiting-advanced with strategy redis across two real gw processes sharing one redis-server,
 * the Bedrock emulator behind both: a consumer over its token budget is refused by both, another is not;
 * a cost budget (hand-computed from the config's prices) holds across both; a window rolls over; Redis
 * killed mid-run: both go on counting locally, and what they charged meanwhile reaches Redis when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startGw, type GwProcess } from '../support/gw-process.js';
import { AWS_KEYS, INPUT_COST, MODEL, OUTPUT_COST, clientUsage, deckEnv, post } from './support/bedrock.js';
import { eventually, readLogLines } from './support/gateway.js';
import { afterWindow, roomInWindow, windowIndex } from './support/windows.js';

const TOKENS = 120;
const COST = 0.0004;

function config(redisPort: number, logPath: string): string {
  const redis = `strategy: redis, sync_rate: 0, redis: {host: 127.0.0.1, port: ${redisPort}, read_timeout: 500, connect_timeout: 500}`;
  const route = (name: string, limits: string) => `      - name: ${name}
        paths: [/${name}]
        plugins:
          - name: ai-rate-limiting-advanced
            config: {${limits}, ${redis}}`;
  return `_format_version: "3.0"
consumers:
  - {username: alice, keyauth_credentials: [{key: alice-key}]}
  - {username: bob, keyauth_credentials: [{key: bob-key}]}
services:
  - name: claude
    url: http://127.0.0.1:9/anything
    routes:
${route('tokens', `llm_providers: [{name: bedrock, limit: [${TOKENS}], window_size: [60]}], window_type: fixed`)}
${route('cost', `llm_providers: [{name: bedrock, limit: [${COST}], window_size: [60]}], window_type: fixed, tokens_count_strategy: cost`)}
${route('window', `llm_providers: [{name: bedrock, limit: [1], window_size: [2]}], window_type: fixed`)}
${route('outage', `llm_providers: [{name: bedrock, limit: [1000000], window_size: [60]}], window_type: fixed, namespace: outage`)}
plugins:
  - name: key-auth
    config: {key_names: [x-api-key]}
  - name: ai-proxy
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      auth: {aws_access_key_id: "\${{ env "DECK_AWS_ACCESS_KEY_ID" }}", aws_secret_access_key: "\${{ env "DECK_AWS_SECRET_ACCESS_KEY" }}"}
      model:
        provider: bedrock
        name: ${MODEL}
        options: {bedrock: {aws_region: "\${{ env "DECK_AWS_REGION" }}"}, input_cost: ${INPUT_COST}, output_cost: ${OUTPUT_COST}}
  - name: file-log
    config: {path: ${logPath}}
`;
}

describe('ai-rate-limiting-advanced, strategy redis, two gw processes', () => {
  let emulator: Emulator;
  let redis: RedisServer;
  let inspect: Redis;
  let one: GwProcess;
  let two: GwProcess;
  let logPath: string;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    redis = await startRedisServer();
    inspect = new Redis(redis.url);
    inspect.on('error', () => {}); // killed on purpose below
    const env = { ...deckEnv, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` };
    logPath = join(mkdtempSync(join(tmpdir(), 'gw-airl-')), 'log.json');
    const yaml = config(redis.port, logPath);
    [one, two] = await Promise.all([startGw(yaml, { env }), startGw(yaml, { env })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    inspect?.disconnect();
    await redis?.stop();
    await emulator?.close();
  });

  /**
   * One request, returned once it is over: its tokens are charged in the log phase, after the response,
   * and its log line is written after the charge (ai-rate-limiting-advanced logs before file-log).
   */
  const ask = async (gw: GwProcess, path: string, key: string) => {
    const r = await post(`${gw.url}/${path}/v1/messages`, { 'content-type': 'application/json', 'x-api-key': key }, JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi [scenario:text]' }] }));
    const id = String(r.headers['x-kong-request-id']);
    await eventually(() => readLogLines(logPath).some((l) => l.request.id === id), `the log line of ${id}`);
    return r;
  };

  it('a consumer over its token budget is refused by both processes; another consumer is not', async () => {
    await roomInWindow(60, 15);
    const first = await ask(one, 'tokens', 'alice-key');
    const used = clientUsage(first.text, false);
    const perRequest = used.input_tokens + used.output_tokens;
    const served = Math.ceil(TOKENS / perRequest);
    // Alternate between the processes: the budget is one.
    const statuses = [first.status];
    for (let i = 1; i <= served; i++) statuses.push((await ask(i % 2 ? two : one, 'tokens', 'alice-key')).status);
    expect(statuses).toEqual([...Array(served).fill(200), 429]);
    expect((await ask(one, 'tokens', 'alice-key')).status).toBe(429);
    expect((await ask(two, 'tokens', 'alice-key')).status).toBe(429);
    expect((await ask(two, 'tokens', 'bob-key')).status).toBe(200);
    // Namespaced, expiring keys: gw:ai-rl:<namespace>:<provider>:<what it counts>:<consumer>:<window>:<start>.
    const keys = await inspect.keys('gw:ai-rl:*:bedrock:*:60:*');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(await inspect.ttl(key)).toBeGreaterThan(0);
  });

  it('a cost budget, hand-computed from input_cost and output_cost, holds across both processes', async () => {
    await roomInWindow(60, 15);
    const first = await ask(two, 'cost', 'bob-key');
    const used = clientUsage(first.text, false);
    const cost = (used.input_tokens * INPUT_COST + used.output_tokens * OUTPUT_COST) / 1_000_000;
    const served = Math.ceil(COST / cost);
    const answers = [first];
    for (let i = 1; i <= served; i++) answers.push(await ask(i % 2 ? one : two, 'cost', 'bob-key'));
    expect(answers.map((a) => a.status)).toEqual([...Array(served).fill(200), 429]);
    answers.slice(0, served).forEach((a, k) => expect(Number(a.headers['x-ai-ratelimit-remaining-60-bedrock'])).toBeCloseTo(Math.max(0, COST - k * cost), 6));
    // Redis holds the money spent, fractions and all.
    const values = await Promise.all((await inspect.keys('gw:ai-rl:*:bedrock:*:60:*')).map((k) => inspect.get(k)));
    expect(values.map(Number).some((v) => Math.abs(v - served * cost) < 1e-9)).toBe(true);
  });

  it('a window rolls over in Redis: refused by one process, served by the other in the next window', async () => {
    let outcome: number[] = [];
    for (let attempt = 0; attempt < 5 && outcome.length === 0; attempt++) {
      await roomInWindow(2, 1.2);
      const start = Date.now();
      const first = (await ask(one, 'window', 'alice-key')).status;
      const second = (await ask(two, 'window', 'alice-key')).status;
      if (windowIndex(2, Date.now()) !== windowIndex(2, start)) continue;
      await afterWindow(2, start);
      outcome = [first, second, (await ask(two, 'window', 'alice-key')).status];
    }
    expect(outcome).toEqual([200, 429, 200]);
  });

  it('Redis killed mid-run: both serve and count locally; restarted, what they charged meanwhile is in Redis', async () => {
    await roomInWindow(60, 15);
    await redis.kill();
    const during = [await ask(one, 'outage', 'alice-key'), await ask(two, 'outage', 'alice-key'), await ask(one, 'outage', 'alice-key')];
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    const charged = during.reduce((sum, r) => {
      const u = clientUsage(r.text, false);
      return sum + u.input_tokens + u.output_tokens;
    }, 0);
    await redis.start();
    const sum = async () => {
      const keys = await inspect.keys('gw:ai-rl:outage:*');
      const values = await Promise.all(keys.map((k) => inspect.get(k)));
      return values.reduce((s, v) => s + Number(v), 0);
    };
    for (let i = 0; i < 200 && (await sum().catch(() => 0)) !== charged; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await sum()).toBe(charged);
    expect(one.output()).toMatch(/redis 127\.0\.0\.1:\d+\/0 unavailable/);
    expect(one.output()).toMatch(/is reachable again/);
  }, 30_000);
});
