/**
 * ai-rate-limiting-advanced (strategy local) through the real gateway, the Bedrock emulator behind
 * ai-proxy: a token budget per consumer, a cost budget hand-computed from the config's prices, the
 * counting rules for cache tokens, a window that rolls over, a budget shared by a consumer group, the
 * 3.14 policies, a cut stream charged what it used, the decision in the log, and the Anthropic SDK
 * waiting for Retry-After before it retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, INPUT_COST, MODEL, OUTPUT_COST, clientUsage, deckEnv, post } from './support/bedrock.js';
import { afterWindow, roomInWindow, windowIndex } from './support/windows.js';

const TOKENS = 100;
const COST = 0.0004; // USD

function route(name: string, limits: string, extra = ''): string {
  return `      - name: ${name}
        paths: [/${name}]
        plugins:
          - name: ai-rate-limiting-advanced
            config:
${limits}
${extra}`;
}

function config(logPath: string): string {
  return `_format_version: "3.0"
consumer_groups:
  - name: team
    plugins:
      - name: ai-rate-limiting-advanced
        route: group
        config:
          llm_providers: [{name: bedrock, limit: [${TOKENS}], window_size: [60]}]
          window_type: fixed
          identifier: consumer-group
consumers:
  - {username: alice, keyauth_credentials: [{key: alice-key}]}
  - {username: bob, keyauth_credentials: [{key: bob-key}]}
  - {username: carol, groups: [{name: team}], keyauth_credentials: [{key: carol-key}]}
  - {username: dave, groups: [{name: team}], keyauth_credentials: [{key: dave-key}]}
services:
  - name: claude
    url: http://127.0.0.1:9/anything
    routes:
${route('tokens', `              llm_providers: [{name: bedrock, limit: [${TOKENS}], window_size: [60]}]\n              window_type: fixed`)}
${route('cost', `              llm_providers: [{name: bedrock, limit: [${COST}], window_size: [60]}]\n              window_type: fixed\n              tokens_count_strategy: cost`)}
${route('cache', `              llm_providers: [{name: bedrock, limit: [1000000], window_size: [60]}]\n              tokens_count_strategy: prompt_tokens`)}
${route('window', `              llm_providers: [{name: bedrock, limit: [1], window_size: [2]}]\n              window_type: fixed`)}
${route('sdk', `              llm_providers: [{name: bedrock, limit: [1], window_size: [2]}]\n              window_type: fixed`)}
${route('policies', `              policies:
                - match: [{type: consumer, key: username, values: [alice]}, {type: model, partition_by: true}]
                  limits: [{limit: 1, window_size: 60}]
                  window_type: fixed
                - limits: [{limit: 1000000, window_size: 60, tokens_count_strategy: completion_tokens}]`)}
      - name: group
        paths: [/group]
${route('cut', `              llm_providers: [{name: bedrock, limit: [1000000], window_size: [60]}]`)}
plugins:
  - name: key-auth
    config: {key_names: [x-api-key]}
  - name: ai-proxy
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      logging: {log_statistics: true}
      auth: {aws_access_key_id: "\${aws_access_key_id}", aws_secret_access_key: "\${aws_secret_access_key}"}
      model:
        provider: bedrock
        name: ${MODEL}
        options: {bedrock: {aws_region: "\${aws_region}"}, input_cost: ${INPUT_COST}, output_cost: ${OUTPUT_COST}}
  - name: file-log
    config: {path: ${logPath}}
`;
}

const body = (text: string, stream = false) => JSON.stringify({ model: MODEL, max_tokens: 64, stream, messages: [{ role: 'user', content: text }] });

describe('ai-rate-limiting-advanced, strategy local (real gateway)', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    logPath = join(dir, 'log.json');
    gw = await startGateway(config(logPath), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  /** One request, returned once its charge is made: the log line is written after it (file-log logs last). */
  const ask = async (path: string, key: string, text = 'hi [scenario:text]') => {
    const r = await post(`${gw.url}/${path}/v1/messages`, { 'content-type': 'application/json', 'x-api-key': key }, body(text));
    await logOf(String(r.headers['x-kong-request-id']));
    return r;
  };
  /** Requests until one is refused (at most `max`); the answers, the last one refused. */
  async function untilRefused(path: string, key: string, max = 20) {
    const seen = [];
    for (let i = 0; i < max; i++) {
      const r = await ask(path, key);
      seen.push(r);
      if (r.status !== 200) break;
    }
    return seen;
  }
  const logOf = (id: string) => eventually(() => readLogLines(logPath).find((l: LogLine) => l.request.id === id), `the log line of ${id}`);

  it('a token budget per consumer: tokens are charged when the response ends, and the next request is refused once at the limit', async () => {
    await roomInWindow(60, 10);
    const seen = await untilRefused('tokens', 'alice-key');
    const used = clientUsage(seen[0].text, false);
    const perRequest = used.input_tokens + used.output_tokens;
    // Served while the count is under the limit: ceil(limit / tokens per request) requests.
    const served = Math.ceil(TOKENS / perRequest);
    expect(seen.map((r) => r.status)).toEqual([...Array(served).fill(200), 429]);
    seen.slice(0, served).forEach((r, k) => {
      expect(r.headers['x-ai-ratelimit-limit-60-bedrock']).toBe(String(TOKENS));
      expect(r.headers['x-ai-ratelimit-remaining-60-bedrock']).toBe(String(Math.max(0, TOKENS - k * perRequest)));
      expect(r.headers['anthropic-ratelimit-tokens-limit']).toBe(String(TOKENS));
    });
    const refused = seen.at(-1)!;
    expect(JSON.parse(refused.text)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'AI token rate limit exceeded for provider(s): bedrock' } });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ai-ratelimit-retry-after-60-bedrock']).toBe(String(retryAfter));
    expect(refused.headers['anthropic-ratelimit-tokens-remaining']).toBe('0');
    // Another consumer has its own budget.
    expect((await ask('tokens', 'bob-key')).status).toBe(200);
    // Counting tokens spends none: not limited, not charged.
    const counted = await post(`${gw.url}/tokens/v1/messages/count_tokens`, { 'content-type': 'application/json', 'x-api-key': 'alice-key' }, JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }));
    expect(counted.status).toBe(200);
    expect(JSON.parse(counted.text).input_tokens).toBeGreaterThan(0);

    const line = await logOf(String(seen[0].headers['x-kong-request-id']));
    expect(line.ai.rate_limiting).toEqual({
      allowed: true, strategy: 'local', limit: '60-bedrock', remaining: TOKENS,
      limits: { '60-bedrock': { limit: TOKENS, remaining: TOKENS, window: 60, window_type: 'fixed', counts: 'total_tokens', charged: perRequest } },
    });
    const refusedLine = await logOf(String(refused.headers['x-kong-request-id']));
    expect(refusedLine.ai.rate_limiting).toMatchObject({ allowed: false, remaining: 0 });
    expect(refusedLine.ai.rate_limiting.limits['60-bedrock'].charged).toBeUndefined();
  });

  it('a cost budget: each request charged (input × input_cost + output × output_cost) / 1e6 USD, by hand', async () => {
    await roomInWindow(60, 10);
    const seen = await untilRefused('cost', 'alice-key');
    const used = clientUsage(seen[0].text, false);
    const cost = (used.input_tokens * INPUT_COST + used.output_tokens * OUTPUT_COST) / 1_000_000;
    const served = Math.ceil(COST / cost);
    expect(served).toBeGreaterThan(1);
    expect(seen.map((r) => r.status)).toEqual([...Array(served).fill(200), 429]);
    seen.slice(0, served).forEach((r, k) => {
      expect(Number(r.headers['x-ai-ratelimit-remaining-60-bedrock'])).toBeCloseTo(Math.max(0, COST - k * cost), 6);
    });
    // No Anthropic header family counts money.
    expect(seen[0].headers['anthropic-ratelimit-tokens-limit']).toBeUndefined();
    const line = await logOf(String(seen[0].headers['x-kong-request-id']));
    expect(line.ai.rate_limiting.limits['60-bedrock'].charged).toBeCloseTo(cost, 12);
  });

  it('prompt tokens count cache reads and writes, as the log\'s prompt_tokens do', async () => {
    const r = await ask('cache', 'alice-key', 'a long prompt [scenario:cache]');
    expect(r.status).toBe(200);
    const used = clientUsage(r.text, false);
    expect(used.cache_read_input_tokens).toBeGreaterThan(0);
    const line = await logOf(String(r.headers['x-kong-request-id']));
    const charged = line.ai.rate_limiting.limits['60-bedrock'].charged;
    expect(charged).toBe(used.input_tokens + used.cache_read_input_tokens + used.cache_creation_input_tokens);
    expect(charged).toBe(line.ai.proxy.usage.prompt_tokens);
    expect(r.headers['anthropic-ratelimit-input-tokens-limit']).toBe('1000000');
  });

  it('a window rolls over: refused in one window, served in the next', async () => {
    let outcome: number[] = [];
    for (let attempt = 0; attempt < 5 && outcome.length === 0; attempt++) {
      await roomInWindow(2, 1.2);
      const start = Date.now();
      const first = (await ask('window', 'alice-key')).status;
      const second = (await ask('window', 'alice-key')).status;
      if (windowIndex(2, Date.now()) !== windowIndex(2, start)) continue;
      await afterWindow(2, start);
      outcome = [first, second, (await ask('window', 'alice-key')).status];
    }
    expect(outcome).toEqual([200, 429, 200]);
  });

  it("a consumer group's instance counts its members together (identifier consumer-group)", async () => {
    await roomInWindow(60, 10);
    const carol = await untilRefused('group', 'carol-key');
    expect(carol.at(-1)!.status).toBe(429);
    expect((await ask('group', 'dave-key')).status).toBe(429);
    // Alice is in no group: the group's instance doesn't apply to her.
    const alice = await ask('group', 'alice-key');
    expect(alice.status).toBe(200);
    expect(alice.headers['x-ai-ratelimit-limit-60-bedrock']).toBeUndefined();
  });

  it("policies: alice's model-partitioned policy applies to her alone; others fall back to the policy without conditions", async () => {
    await roomInWindow(60, 10);
    expect((await ask('policies', 'alice-key')).status).toBe(200);
    const refused = await ask('policies', 'alice-key');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).error.message).toBe('AI token rate limit exceeded for provider(s): policy-1');
    const bob = await ask('policies', 'bob-key');
    expect(bob.status).toBe(200);
    expect(bob.headers['x-ai-ratelimit-limit-60-policy-2']).toBe('1000000');
    expect(bob.headers['anthropic-ratelimit-output-tokens-limit']).toBe('1000000');
  });

  it('a stream the client cut is charged what it used: the estimate ai-proxy logs', async () => {
    const id = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gw.url}/cut/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'alice-key' } }, (res) => {
        res.once('data', () => {
          resolve(String(res.headers['x-kong-request-id']));
          req.destroy();
        });
      });
      req.on('error', () => {});
      req.end(body('a long answer [scenario:slow]', true));
      setTimeout(() => reject(new Error('no first byte')), 10_000).unref();
    });
    const line = await logOf(id);
    expect(line.cut).toMatchObject({ by: 'client' });
    expect(line.ai.proxy.usage.completion_tokens_estimated).toBe(true);
    expect(line.ai.rate_limiting.limits['60-bedrock'].charged).toBe(line.ai.proxy.usage.total_tokens);
    expect(line.ai.rate_limiting.limits['60-bedrock'].charged).toBeGreaterThan(0);
  });

  it('the Anthropic SDK gets its RateLimitError, and with retries waits for Retry-After, then succeeds', async () => {
    const client = (maxRetries: number) => new Anthropic({ baseURL: `${gw.url}/sdk`, apiKey: 'bob-key', maxRetries });
    const ask1 = (c: Anthropic) => c.messages.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi [scenario:text]' }] });
    await roomInWindow(2, 1.2);
    await ask1(client(0));
    const err = await ask1(client(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const refusedHeaders = (err as InstanceType<typeof Anthropic.RateLimitError>).headers;
    expect(Number(refusedHeaders?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Every line so far is written before the retrying client starts.
    await logOf(String(refusedHeaders?.get('x-kong-request-id')));
    const before = readLogLines(logPath).length;
    const message = await ask1(client(3));
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const lines = await eventually(() => {
      const sdk = readLogLines(logPath).slice(before).filter((l) => l.request.uri.startsWith('/sdk'));
      return sdk.at(-1)?.response.status === 200 ? sdk : undefined;
    }, 'the served request in the log');
    // Refused, then (after waiting what it was told) served; the wait is at least Retry-After.
    expect(lines.map((l) => l.response.status)).toEqual([...Array(lines.length - 1).fill(429), 200]);
    for (let i = 1; i < lines.length; i++) {
      const told = Number(lines[i - 1].response.headers['retry-after']);
      expect(lines[i].started_at - lines[i - 1].started_at).toBeGreaterThanOrEqual(told * 1000 - 50);
    }
  });
});
