/**
 * ai-proxy-advanced through the real gateway to several Bedrock emulators (a region and an account each):
 * a throttled, failing, unreachable or slow target fails over to the next within the same client request,
 * re-signed for the next region and account; the log lists every try; `retries` bounds the upstream calls;
 * circuit breakers take a failing target out and show in /status; when every target sits out the client
 * gets 429 (or 529) with retry-after in its own format; and each balancer algorithm orders the targets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { eventually, readLogLines, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { post } from './support/bedrock.js';
import { advancedConfig, closedPort, messagesBody, startRegions, type Region, type TargetSpec } from './support/advanced.js';

const FAILOVER = ['error', 'timeout', 'http_429', 'http_500', 'http_503', 'non_idempotent'];

let regions: Region[];
let east: Region;
let west: Region;
let eu: Region;
beforeAll(async () => {
  regions = await startRegions(['us-east-1', 'us-west-2', 'eu-west-1']);
  [east, west, eu] = regions as [Region, Region, Region];
});
afterAll(async () => {
  for (const r of regions ?? []) await r.emulator.close();
});

const running: RunningGateway[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!.close();
  for (const r of regions) r.emulator.received.length = 0;
});

/** Sees the AI_CALL record in the log phase, as metrics and budgets do. */
const { plugin: watcher, calls } = aiCallWatcher();

async function gateway(targets: TargetSpec[], balancer: Record<string, unknown> = {}, extraYaml = '') {
  const dir = tempDir();
  const logPath = join(dir, 'log.json');
  const yaml = advancedConfig(logPath, targets, balancer) + '  - name: ai-call-watcher\n    config: {}\n';
  const gw = await startGateway(yaml.replace('targets:\n', `targets:\n${extraYaml}`), { dir, plugins: [watcher] });
  running.push(gw);
  const ask = (headers: Record<string, string> = {}, body = messagesBody()) =>
    post(`${gw.url}/llm/v1/messages`, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body);
  const line = (id: string) => eventually(() => readLogLines(logPath).find((l) => l.request.id === id), `the log line of ${id}`);
  return { gw, ask, line, logText: () => readFileSync(logPath, 'utf8') };
}

const idOf = (headers: Record<string, unknown>) => headers['x-kong-request-id'] as string;
const tried = (line: LogLine) => (line.ai.proxy.tried_targets as Record<string, unknown>[]);

describe('ai-proxy-advanced failover', () => {
  it('fails a throttled region over to the next in the same request, re-signed for its region and account; the log shows both tries', async () => {
    const { ask, line } = await gateway([{ region: east }, { region: west }], { algorithm: 'priority', failover_criteria: FAILOVER });
    east.emulator.queue('throttle');
    const reply = await ask();
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).type).toBe('message');
    expect(east.emulator.received).toHaveLength(1);
    expect(west.emulator.received).toHaveLength(1);
    // Each emulator accepts only its own account's keys, signed for its own region.
    expect(west.emulator.received[0]!.signatureValid).toBe(true);
    expect(west.emulator.received[0]!.body.equals(east.emulator.received[0]!.body)).toBe(true);
    const log = await line(idOf(reply.headers));
    expect(tried(log)).toMatchObject([
      { provider: 'bedrock', host: '127.0.0.1', port: east.emulator.port, upstream_scheme: 'http', route_type: 'llm/v1/chat', outcome: 'failed_over', status: 429, criterion: 'http_429', target_index: 0 },
      { provider: 'bedrock', host: '127.0.0.1', port: west.emulator.port, upstream_scheme: 'http', route_type: 'llm/v1/chat', outcome: 'answered', status: 200, target_index: 1 },
    ]);
    expect(tried(log)[0]!.upstream_uri).toMatch(/^\/model\/us\.anthropic\.claude-haiku-4-5-20251001-v1%3A0\/invoke$/);
    expect(tried(log)[0]!.ip).toBe('127.0.0.1');
    expect(log.ai.proxy.meta).toMatchObject({ provider_name: 'bedrock', target_index: 1 });
    expect(log.ai.proxy.usage.completion_tokens).toBeGreaterThan(0);
    expect(log.tries.map((t: { port: number; state?: string; code?: number }) => [t.port, t.state, t.code])).toEqual([[east.emulator.port, 'next', 429], [west.emulator.port, undefined, undefined]]);
  });

  it('fails a stream over before its first byte, and a target that can not be reached with the default criteria', async () => {
    const down = await closedPort();
    const { ask, line } = await gateway([{ region: { name: 'us-east-2', url: `http://127.0.0.1:${down}`, keys: east.keys } }, { region: east }]);
    const reply = await ask({}, messagesBody({ stream: true }));
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('event: message_stop');
    const log = await line(idOf(reply.headers));
    expect(tried(log).map((t) => [t.port, t.outcome, t.failure, t.criterion])).toEqual([[down, 'failed_over', 'connect', 'error'], [east.emulator.port, 'answered', undefined, undefined]]);
    expect(log.ai.proxy.meta.request_mode).toBe('stream');
  });

  it("keeps a 429 when non_idempotent is not listed (Kong's rule for POST), relayed in the client's format", async () => {
    const { ask, line } = await gateway([{ region: east }, { region: west }], { algorithm: 'priority', failover_criteria: ['error', 'timeout', 'http_429'] });
    east.emulator.queue('throttle');
    const reply = await ask();
    expect(reply.status).toBe(429);
    expect(JSON.parse(reply.text)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(west.emulator.received).toHaveLength(0);
    expect(tried(await line(idOf(reply.headers))).map((t) => t.outcome)).toEqual(['answered']);
  });

  it('bounds the upstream calls of one request by retries', async () => {
    const { ask, line } = await gateway([{ region: east }, { region: west }, { region: eu }], { algorithm: 'priority', retries: 1, failover_criteria: FAILOVER });
    // The third target would answer: retries: 1 never reaches it.
    east.emulator.queue('throttle');
    west.emulator.queue('throttle');
    const reply = await ask();
    expect(reply.status).toBe(429);
    expect(regions.map((r) => r.emulator.received.length)).toEqual([1, 1, 0]);
    expect(tried(await line(idOf(reply.headers))).map((t) => t.outcome)).toEqual(['failed_over', 'answered']);
  });

  it('fails over on a read timeout (the balancer read_timeout, not the service one)', async () => {
    const { ask, line } = await gateway([{ region: east }, { region: west }], { algorithm: 'priority', read_timeout: 150, failover_criteria: FAILOVER });
    east.emulator.queue({ name: 'slow', delayMs: 1_000 });
    const reply = await ask();
    expect(reply.status).toBe(200);
    expect(tried(await line(idOf(reply.headers))).map((t) => [t.outcome, t.failure, t.criterion])).toEqual([['failed_over', 'timeout', 'timeout'], ['answered', undefined, undefined]]);
  });

  it('fails a Bedrock target over to an Anthropic one: another provider, body and key; AI_CALL and meta name the one that answered', async () => {
    const seen: Array<{ key: unknown; body: Record<string, unknown> }> = [];
    const anthropic = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        seen.push({ key: req.headers['x-api-key'], body: JSON.parse(text) as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
        res.end(JSON.stringify({ id: 'msg_fake', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'from anthropic' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 9, output_tokens: 3 } }));
      });
    });
    await new Promise<void>((r) => anthropic.listen(0, '127.0.0.1', r));
    try {
      const port = (anthropic.address() as AddressInfo).port;
      const anthropicTarget = `      - route_type: llm/v1/chat
        weight: 1
        description: anthropic
        logging: { log_statistics: true }
        auth: { header_name: x-api-key, header_value: sk-ant-gateway-key-never-logged }
        model: { provider: anthropic, name: claude-haiku-4-5-20251001, options: { anthropic_version: "2023-06-01", upstream_url: "http://127.0.0.1:${port}" } }
`;
      const { ask, line, logText } = await gateway([{ region: east, weight: 100 }], { algorithm: 'priority', failover_criteria: FAILOVER }, anthropicTarget);
      east.emulator.queue('throttle');
      const reply = await ask({ 'x-api-key': 'sk-ant-client-key' });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text).content[0].text).toBe('from anthropic');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.key).toBe('sk-ant-gateway-key-never-logged');
      expect(seen[0]!.body.model).toBe('claude-haiku-4-5-20251001');
      const id = idOf(reply.headers);
      const log = await line(id);
      expect(tried(log).map((t) => [t.provider, t.outcome])).toEqual([['bedrock', 'failed_over'], ['anthropic', 'answered']]);
      expect(log.ai.proxy.meta).toMatchObject({ provider_name: 'anthropic', target_description: 'anthropic' });
      const call = await eventually(() => calls.get(id), 'the AI_CALL of the request');
      expect(call).toMatchObject({ call: { provider: 'anthropic', model: 'claude-haiku-4-5-20251001' }, usage: { tokens: { input: 9, output: 3 }, complete: true } });
      const text = logText();
      for (const secret of ['sk-ant-gateway-key-never-logged', 'sk-ant-client-key', east.keys.secretAccessKey]) expect(text).not.toContain(secret);
    } finally {
      await new Promise((r) => anthropic.close(r));
    }
  });

  it('passes over a target that refuses the client model (Kong-strict model_aliases), says so in the log, and calls the next', async () => {
    const strict = `      - route_type: llm/v1/chat
        weight: 100
        logging: { log_statistics: true }
        auth: { aws_access_key_id: ${west.keys.accessKeyId}, aws_secret_access_key: ${JSON.stringify(west.keys.secretAccessKey)} }
        model: { provider: bedrock, name: us.anthropic.claude-sonnet-4-5-20250929-v1:0, options: { upstream_url: "${west.emulator.url}", bedrock: { aws_region: us-west-2 } } }
        model_aliases: {}
`;
    const { ask, line } = await gateway([{ region: east, weight: 1 }], { algorithm: 'priority' }, strict);
    const reply = await ask();
    expect(reply.status).toBe(200);
    expect(west.emulator.received).toHaveLength(0);
    const log = await line(idOf(reply.headers));
    expect(log.ai.proxy.skipped_targets).toEqual([{ target_index: 0, error: 'GW_ERR_AI_MODEL_MISMATCH' }]);
    expect(tried(log).map((t) => t.target_index)).toEqual([1]);
  });

  it("lists every target's models on GET /v1/models", async () => {
    const sonnet = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const { gw } = await gateway([{ region: east }, { region: west, model: sonnet }]);
    const res = await fetch(`${gw.url}/llm/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(ids.some((id) => id.includes('haiku'))).toBe(true);
    expect(ids.some((id) => id.includes('sonnet'))).toBe(true);
  });

  it('chooses targets by model_alias and calls their own model', async () => {
    const sonnet = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const { ask } = await gateway([{ region: east, alias: 'fast' }, { region: west, alias: 'smart', model: sonnet }]);
    expect((await ask({}, messagesBody({ model: 'smart' }))).status).toBe(200);
    expect(west.emulator.received.map((r) => r.modelId)).toEqual([sonnet]);
    expect(east.emulator.received).toHaveLength(0);
  });
});

describe('ai-proxy-advanced circuit breaker', () => {
  it('takes a throttled target out for fail_timeout, shows it in /status, and answers 429 with retry-after when all are out', async () => {
    const { gw, ask, line } = await gateway([{ region: east, description: 'us-east-1' }, { region: west, description: 'us-west-2' }], { algorithm: 'priority', max_fails: 1, fail_timeout: 30_000, failover_criteria: FAILOVER });
    east.emulator.queue('throttle');
    expect((await ask()).status).toBe(200);
    // East sits out: the next request goes straight to west.
    const second = await ask();
    expect(second.status).toBe(200);
    expect(east.emulator.received).toHaveLength(1);
    expect(tried(await line(idOf(second.headers))).map((t) => t.target_description)).toEqual(['us-west-2']);

    const status = await gw.gateway.listenStatus(0, '127.0.0.1');
    const report = async () => ((await (await fetch(`http://127.0.0.1:${status.port}/status`)).json()) as { plugins: Record<string, any> }).plugins['ai-proxy-advanced'];
    const targets = (await report()).instances.at(-1).targets;
    expect(targets.map((t: { circuit: string }) => t.circuit)).toEqual(['open', 'closed']);
    expect(targets[0]).toMatchObject({ description: 'us-east-1', fails: 1, opened: 1, last_failure: 'rate_limited' });
    expect(Date.parse(targets[0].open_until)).toBeGreaterThan(Date.now() + 20_000);

    west.emulator.queue('throttle');
    expect((await ask()).status).toBe(429);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(JSON.parse(refused.text).error.message).toContain('sit out');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect(east.emulator.received.length + west.emulator.received.length).toBe(4);
    expect((await report()).unavailable).toBeGreaterThan(0);
    // The prometheus plugin exports the plugin's counters.
    const metrics = await (await fetch(`http://127.0.0.1:${status.port}/metrics`)).text();
    expect(metrics).toMatch(/gw_ai_failover_total\{criterion="http_429"\} [1-9]/);
    expect(metrics).toMatch(/gw_ai_targets_unavailable_total [1-9]/);
    expect(metrics).toMatch(/gw_ai_circuit_opened_total [1-9]/);
  });

  it('answers 529 overloaded_error when the targets sit out for failing', async () => {
    const { ask } = await gateway([{ region: east }], { max_fails: 1, fail_timeout: 5_000, failover_criteria: FAILOVER });
    east.emulator.queue('overload');
    // Bedrock's ServiceUnavailableException is Anthropic's 529 already; then the breaker answers it.
    expect((await ask()).status).toBe(529);
    const refused = await ask();
    expect(refused.status).toBe(529);
    expect(JSON.parse(refused.text).error.type).toBe('overloaded_error');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('ai-proxy-advanced balancer algorithms (through the gateway)', () => {
  const counts = () => regions.map((r) => r.emulator.received.length);

  it('round-robin shares requests by weight', async () => {
    const { ask } = await gateway([{ region: east, weight: 3 }, { region: west, weight: 1 }]);
    for (let i = 0; i < 8; i++) expect((await ask()).status).toBe(200);
    expect(counts()).toEqual([6, 2, 0]);
  });

  it('priority sends everything to the highest weight group while it answers', async () => {
    const { ask } = await gateway([{ region: east, weight: 10 }, { region: west, weight: 50 }, { region: eu, weight: 50 }], { algorithm: 'priority' });
    for (let i = 0; i < 4; i++) expect((await ask()).status).toBe(200);
    expect(counts()).toEqual([0, 2, 2]);
  });

  it('consistent-hashing keeps a header value on one target', async () => {
    const { ask } = await gateway([{ region: east }, { region: west }, { region: eu }], { algorithm: 'consistent-hashing', hash_on_header: 'x-session' });
    for (let i = 0; i < 3; i++) expect((await ask({ 'x-session': 'session-a' })).status).toBe(200);
    expect(counts().sort()).toEqual([0, 0, 3]);
    const keys = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    for (const key of keys) await ask({ 'x-session': key });
    expect(counts().filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('lowest-latency moves to the faster target once it measured both', async () => {
    const { ask } = await gateway([{ region: east }, { region: west }], { algorithm: 'lowest-latency', latency_strategy: 'e2e' });
    east.emulator.queue({ name: 'slow', delayMs: 300 });
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(200);
    expect(counts().slice(0, 2)).toEqual([1, 4]);
  });

  it('lowest-usage sends the next request to the target that served fewer tokens', async () => {
    const { ask } = await gateway([{ region: east }, { region: west }], { algorithm: 'lowest-usage' });
    expect((await ask({}, messagesBody({ messages: [{ role: 'user', content: 'x'.repeat(4000) }] }))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
    expect(counts().slice(0, 2)).toEqual([1, 3]);
  });

  it('least-connections sends a request to the target with fewer in flight', async () => {
    const { ask } = await gateway([{ region: east }, { region: west }], { algorithm: 'least-connections' });
    east.emulator.queue({ name: 'slow', delayMs: 400 });
    const slow = ask();
    await eventually(() => east.emulator.received.length === 1 || west.emulator.received.length === 1, 'the first request upstream');
    const slowAt = east.emulator.received.length === 1 ? 0 : 1;
    for (let i = 0; i < 2; i++) expect((await ask()).status).toBe(200);
    await slow;
    expect(counts()[slowAt === 0 ? 1 : 0]).toBeGreaterThanOrEqual(2);
  });
});

describe('ai-proxy-advanced for OpenAI clients', () => {
  it('fails an OpenAI target answering 429 over to Bedrock Converse; the openai SDK gets a chat.completion', async () => {
    const { startOpenAiEmulator } = await import('@gw/openai-emulator');
    const { default: OpenAI } = await import('openai');
    const providerKey = 'sk-provider-key-for-failover-0001';
    const openai = await startOpenAiEmulator({ apiKeys: [providerKey] });
    try {
      const dir = tempDir();
      const logPath = join(dir, 'log.json');
      const gw = await startGateway(`_format_version: "3.0"
services:
  - name: llm
    url: http://127.0.0.1:9
    routes:
      - name: chat
        paths: [/chat]
plugins:
  - name: ai-proxy-advanced
    route: chat
    config:
      llm_format: openai
      balancer: { algorithm: priority, failover_criteria: [error, timeout, http_429, non_idempotent] }
      targets:
        - route_type: llm/v1/chat
          weight: 100
          logging: { log_statistics: true }
          auth: { header_name: Authorization, header_value: Bearer ${providerKey} }
          model: { provider: openai, name: gpt-4.1-nano, options: { upstream_url: "${openai.url}", input_cost: 1, output_cost: 2 } }
        - route_type: llm/v1/chat
          weight: 50
          logging: { log_statistics: true }
          auth: { aws_access_key_id: ${east.keys.accessKeyId}, aws_secret_access_key: ${JSON.stringify(east.keys.secretAccessKey)} }
          model: { provider: bedrock, name: us.anthropic.claude-haiku-4-5-20251001-v1:0, options: { upstream_url: "${east.emulator.url}", bedrock: { aws_region: us-east-1 } } }
          # The client names an OpenAI model: this target takes it as its own (without it, Kong's 'cannot use own model').
          model_aliases: { "gpt-*": us.anthropic.claude-haiku-4-5-20251001-v1:0 }
  - name: file-log
    config: { path: ${logPath} }
`, { dir });
      running.push(gw);
      openai.queue('error_429');
      const client = new OpenAI({ baseURL: `${gw.url}/chat/v1`, apiKey: 'sk-client', maxRetries: 0 });
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0]!.message.content).toBeTruthy();
      expect(openai.received).toHaveLength(1);
      expect(east.emulator.received.map((r) => r.operation)).toEqual(['converse']);
      const id = response.headers.get('x-kong-request-id')!;
      const log = await eventually(() => readLogLines(logPath).find((l) => l.request.id === id), 'the log line');
      expect(tried(log).map((t) => [t.provider, t.outcome, t.status])).toEqual([['openai', 'failed_over', 429], ['bedrock', 'answered', 200]]);
      expect(readFileSync(logPath, 'utf8')).not.toContain(providerKey);
    } finally {
      await openai.close();
    }
  });
});
