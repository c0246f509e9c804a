/**
 * rate-limiting (policy local) through the real gateway: Kong's headers and refusal on a plain route,
 * counting per consumer group, custom status and message, windows that roll over, the decision in the
 * log, and refusals in the client's own format: Anthropic's on an ai-proxy route (the Anthropic SDK
 * sees its RateLimitError), OpenAI's on a route whose errors are OpenAI-shaped (the openai SDK sees its).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { definePlugin } from '@gw/plugin-api';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, deckEnv } from './support/bedrock.js';
import { afterWindow, roomInWindow, windowIndex } from './support/windows.js';

/** Stands in for an OpenAI-format route until ai-proxy speaks OpenAI: gw's errors on it are OpenAI's. */
const openaiFormat = definePlugin({
  name: 'openai-format',
  version: '1.0.0',
  priority: 2000,
  configSchema: { type: 'object' },
  access({ ctx }) {
    ctx.setErrorFormat('openai');
  },
});

function config(upstream: number, logPath: string): string {
  return `_format_version: "3.0"
consumer_groups:
  - name: team-a
    plugins:
      - name: rate-limiting
        config: {minute: 2, limit_by: consumer-group}
consumers:
  - username: alice
    groups: [{name: team-a}]
    keyauth_credentials: [{key: alice-key}]
  - username: bob
    groups: [{name: team-a}]
    keyauth_credentials: [{key: bob-key}]
  - username: carol
    keyauth_credentials: [{key: carol-key}]
services:
  - name: echo
    url: http://127.0.0.1:${upstream}
    routes:
      - name: plain
        paths: [/plain]
        plugins:
          - name: rate-limiting
            config: {minute: 3, hour: 100, limit_by: ip}
      - name: teams
        paths: [/teams]
        plugins:
          - name: key-auth
          - name: rate-limiting
            config: {minute: 5}
      - name: custom
        paths: [/custom]
        plugins:
          - name: rate-limiting
            config: {minute: 1, limit_by: header, header_name: x-tenant, error_code: 503, error_message: slow down, hide_client_headers: true}
      - name: per-second
        paths: [/per-second]
        plugins:
          - name: rate-limiting
            config: {second: 1, limit_by: ip}
      - name: openai
        paths: [/v1]
        plugins:
          - name: openai-format
          - name: rate-limiting
            config: {minute: 1, limit_by: ip}
  - name: claude-code
    url: http://127.0.0.1:9/anything
    routes:
      - name: claude-code
        paths: [/anything]
        plugins:
          - name: rate-limiting
            config: {minute: 1, limit_by: ip}
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth: {aws_access_key_id: "\${aws_access_key_id}", aws_secret_access_key: "\${aws_secret_access_key}"}
              model: {provider: bedrock, name: ${MODEL}, options: {bedrock: {aws_region: "\${aws_region}"}}}
plugins:
  - name: file-log
    config: {path: ${logPath}}
`;
}

describe('rate-limiting, policy local (real gateway)', () => {
  let upstream: http.Server;
  let emulator: Emulator;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => req.resume().on('end', () => res.end('{"ok":true}')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    logPath = join(dir, 'log.json');
    gw = await startGateway(config((upstream.address() as AddressInfo).port, logPath), { dir, env: deckEnv, plugins: [openaiFormat] });
    // Every step below fits in one minute window.
    await roomInWindow(60, 10);
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${gw.url}${path}`, { headers });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };

  it("counts per IP with Kong's headers, then refuses with Kong's message and Retry-After", async () => {
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await get('/plain'));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(seen.map((r) => r.headers.get('x-ratelimit-remaining-minute'))).toEqual(['2', '1', '0']);
    expect(seen[0].headers.get('x-ratelimit-limit-minute')).toBe('3');
    expect(seen[0].headers.get('x-ratelimit-limit-hour')).toBe('100');
    expect(seen[0].headers.get('x-ratelimit-remaining-hour')).toBe('99');
    // RateLimit-* name the period with least left.
    expect(seen[2].headers.get('ratelimit-limit')).toBe('3');
    expect(seen[2].headers.get('ratelimit-remaining')).toBe('0');
    const reset = Number(seen[2].headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(seen[0].headers.get('anthropic-ratelimit-requests-limit')).toBeNull();

    const refused = await get('/plain');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ message: 'API rate limit exceeded' });
    expect(Number(refused.headers.get('retry-after'))).toBe(Number(refused.headers.get('ratelimit-reset')));
    expect(refused.headers.get('x-ratelimit-remaining-minute')).toBe('0');
    // The refused request was not counted: the hour still says 97 left.
    expect(refused.headers.get('x-ratelimit-remaining-hour')).toBe('97');
  });

  it('the members of a group share the group instance\'s count; a consumer outside it has the route\'s', async () => {
    const a = await get('/teams', { apikey: 'alice-key' });
    const b = await get('/teams', { apikey: 'bob-key' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('x-ratelimit-remaining-minute')).toBe('0');
    expect((await get('/teams', { apikey: 'alice-key' })).status).toBe(429);
    const c = await get('/teams', { apikey: 'carol-key' });
    expect(c.status).toBe(200);
    expect(c.headers.get('x-ratelimit-limit-minute')).toBe('5');
  });

  it('error_code, error_message and hide_client_headers; limit_by header', async () => {
    expect((await get('/custom', { 'x-tenant': 't1' })).status).toBe(200);
    const refused = await get('/custom', { 'x-tenant': 't1' });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({ message: 'slow down' });
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.headers.get('x-ratelimit-limit-minute')).toBeNull();
    // Another tenant has its own count.
    expect((await get('/custom', { 'x-tenant': 't2' })).status).toBe(200);
  });

  it('a window rolls over: refused in one second, served in the next', async () => {
    // One request per second: two in the same second (checked, else try again) are served then refused.
    let outcome: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      await roomInWindow(1, 0.6);
      const start = Date.now();
      outcome = [(await get('/per-second')).status, (await get('/per-second')).status];
      if (windowIndex(1, Date.now()) === windowIndex(1, start)) {
        await afterWindow(1, start);
        outcome.push((await get('/per-second')).status);
        break;
      }
      outcome = [];
    }
    expect(outcome).toEqual([200, 429, 200]);
  });

  it('counts its refusals for /status and the prometheus plugin (gw_rate_limiting_refused_total)', async () => {
    const status = await gw.gateway.listenStatus(0, '127.0.0.1');
    const report = async () =>
      ((await (await fetch(`http://127.0.0.1:${status.port}/status`)).json()) as { plugins: Record<string, { refused: number }> }).plugins['rate-limiting']!;
    const before = (await report()).refused;
    const id = `counted-${Date.now()}`;
    const seen = [];
    for (let i = 0; i < 7; i++) seen.push((await get('/teams', { apikey: 'carol-key', 'x-run': id })).status);
    const refusedNow = seen.filter((s) => s === 429).length;
    expect(refusedNow).toBeGreaterThan(0);
    expect((await report()).refused).toBe(before + refusedNow);
  });

  it('logs the decision: which limit, what is left', async () => {
    await get('/plain', { 'x-probe': 'log' });
    const line = await eventually(() => readLogLines(logPath).find((l) => l.request.headers['x-probe'] === 'log'), 'the log line');
    expect(line.response.status).toBe(429);
    expect(line.rate_limiting).toEqual({
      allowed: false, limit_by: 'ip', policy: 'local', limit: 'minute', remaining: 0, reset: expect.any(Number),
      limits: { minute: { limit: 3, remaining: 0 }, hour: { limit: 100, remaining: 97 } },
    });
  });

  it("an Anthropic-format route answers Anthropic's 429 with anthropic-ratelimit-* headers, and the Anthropic SDK sees its RateLimitError", async () => {
    const client = new Anthropic({ baseURL: `${gw.url}/anything`, apiKey: 'sk-ant-test', maxRetries: 0 });
    const { data, response } = await client.messages.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi [scenario:text]' }] }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('1');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const reset = response.headers.get('anthropic-ratelimit-requests-reset')!;
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(reset) % 60_000).toBe(0);

    const err = await client.messages.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'again [scenario:text]' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimited = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'API rate limit exceeded' } });
    expect(Number(rateLimited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(rateLimited.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
  });

  it("a route whose errors are OpenAI-shaped answers OpenAI's 429, and the openai SDK sees its RateLimitError", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    // The echo upstream is no model: the first call gets through (its body isn't a completion), the second is refused.
    await client.models.list().catch(() => undefined);
    const err = await client.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.error).toEqual({ message: 'API rate limit exceeded', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' });
    expect(Number(rateLimited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
