import { describe, expect, it } from 'vitest';
import type { JsonValue, LogRecord, RequestContext } from '@gw/plugin-api';
import { publishAiStats, buildAiProxyLog } from '../../src/stats/index.js';
import { aiResponseBody, aiResponseHeaders } from '../../src/phases/response.js';
import { fakeCtx, fixture, head, makeExchange, run } from '../support/response-harness.js';

function capture() {
  const set: [string, JsonValue | undefined][] = [];
  const ctx = { setSerializeValue: (key: string, value: JsonValue | undefined) => void set.push([key, value]) } as unknown as RequestContext;
  return { ctx, set };
}

const record = { upstream_uri: '/model/m/invoke', tries: [{ ip: '10.0.0.1', port: 443, balancer_start: 1, balancer_latency: 0 }] } as unknown as LogRecord;

describe('ai.proxy log value', () => {
  it('follows Kong’s shape for a Claude Code → Bedrock oneshot (the how-to excerpt)', () => {
    const exchange = makeExchange({
      mode: 'oneshot', upstreamSentAt: 10_000, firstTokenAt: 11_542, lastTokenAt: 11_542,
      usage: { input: 11_184, output: 124, cacheRead: 0, cacheWrite: 0 },
      responseModel: undefined, responseId: undefined, finishReasons: undefined, pluginId: '13f5c57a-77b2-4c1f-9492-9048566db7cf', clientModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    });
    const { ctx, set } = capture();
    publishAiStats({ ctx, exchange, record, target: { host: 'bedrock-runtime.us-west-2.amazonaws.com', upstream_scheme: 'https' } });
    expect(set).toHaveLength(1);
    expect(set[0]![0]).toBe('ai.proxy');
    expect(set[0]![1]).toEqual({
      tried_targets: [{
        provider: 'bedrock', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', port: 443, upstream_scheme: 'https',
        host: 'bedrock-runtime.us-west-2.amazonaws.com', upstream_uri: '/model/m/invoke', route_type: 'llm/v1/chat', ip: '10.0.0.1',
      }],
      meta: {
        request_model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', request_mode: 'oneshot',
        response_model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', provider_name: 'bedrock', llm_latency: 1542,
        plugin_id: '13f5c57a-77b2-4c1f-9492-9048566db7cf',
      },
      usage: {
        completion_tokens: 124, completion_tokens_details: {}, total_tokens: 11_308, cost: 0,
        time_per_token: 1542 / 124, time_to_first_token: 1542, prompt_tokens: 11_184, prompt_tokens_details: { cached_tokens: 0 },
        cache_read_input_tokens: 0, cache_creation_input_tokens: 0,
      },
    });
  });

  it('counts cache tokens in prompt_tokens and prices each kind (per million)', () => {
    const exchange = makeExchange({
      usage: { input: 1000, output: 500, cacheRead: 20_000, cacheWrite: 3000 },
      pricing: { source: 'config', costs: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    });
    const usage = buildAiProxyLog({ exchange }).usage as Record<string, JsonValue>;
    expect(usage.prompt_tokens).toBe(24_000);
    expect(usage.total_tokens).toBe(24_500);
    expect(usage.prompt_tokens_details).toEqual({ cached_tokens: 20_000 });
    // 1000×3 + 500×15 + 20000×0.3 + 3000×3.75 = 3000 + 7500 + 6000 + 11250 = 27750 → 0.02775
    expect(usage.cost).toBeCloseTo(0.02775, 12);
    expect(usage.cost_source).toBe('config');
    expect(buildAiProxyLog({ exchange: { ...exchange, pricing: undefined } }).usage).toMatchObject({ cost: 0 });
    expect((buildAiProxyLog({ exchange: { ...exchange, pricing: undefined } }).usage as Record<string, JsonValue>).cost_source).toBeUndefined();
  });

  it('measures a stream: first token and total latency from the exchange clock', () => {
    const exchange = makeExchange({
      upstreamSentAt: 100.4, firstTokenAt: 912.2, lastTokenAt: 2100.6,
      usage: { input: 10, output: 4, cacheRead: 0, cacheWrite: 0 },
      responseModel: 'claude-haiku-4-5-20251001',
    });
    const value = buildAiProxyLog({ exchange });
    expect((value.usage as any).time_to_first_token).toBe(812);
    expect((value.meta as any).llm_latency).toBe(2000);
    expect((value.usage as any).time_per_token).toBe(500);
    expect((value.meta as any).response_model).toBe('claude-haiku-4-5-20251001');
    expect((value.meta as any).request_mode).toBe('stream');
    expect(value.payload).toBeUndefined();
  });

  it('publishes nothing without log_statistics; payloads only with log_payloads', () => {
    const off = capture();
    publishAiStats({ ctx: off.ctx, exchange: makeExchange({ logStatistics: false, logPayloads: true }) });
    expect(off.set).toEqual([]);
    const on = capture();
    publishAiStats({ ctx: on.ctx, exchange: makeExchange({ logPayloads: true, requestPayload: '{"a":1}', responsePayload: 'event: x' }) });
    expect((on.set[0]![1] as any).payload).toEqual({ request: '{"a":1}', response: 'event: x' });
  });

  it('records an in-stream failure with the Bedrock type and the events already sent', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange();
    const response = head(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'rid-9' });
    aiResponseHeaders({ ctx, response, exchange });
    await run(aiResponseBody({ ctx, response, exchange })!, [fixture('bedrock/invoke-stream-throttling-after-chunk.bin')]);
    const value = buildAiProxyLog({ exchange, observations: (await import('../../src/phases/response.js')).observationsOf(exchange) });
    expect(value.error).toEqual({
      status: 429, type: 'rate_limit_error', message: 'Too many requests, please wait before trying again.',
      upstream_status: 200, upstream_type: 'throttlingException', upstream_request_id: 'rid-9', events_sent: 2,
    });
    expect((value.usage as any).prompt_tokens).toBe(27);
  });

  it('logs count_tokens answers and whether they were estimated', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ kind: 'count_tokens', mode: 'oneshot', localTokenEstimate: 42 });
    const response = head(400, { 'x-amzn-errortype': 'ValidationException' });
    aiResponseHeaders({ ctx, response, exchange });
    await run(aiResponseBody({ ctx, response, exchange })!, [new TextEncoder().encode('{"message":"no"}')]);
    const { ctx: logCtx, set } = capture();
    publishAiStats({ ctx: logCtx, exchange });
    const value = set[0]![1] as any;
    expect(value.count_tokens).toEqual({ input_tokens: 42, estimated: true });
    expect(value.tried_targets[0].route_type).toBe('llm/v1/count_tokens');
    expect(value.usage.cost).toBe(0);
  });
});

describe('ai.proxy usage of answers that did not finish', () => {
  const enc = new TextEncoder();
  const observed = async (exchange: ReturnType<typeof makeExchange>) => (await import('../../src/phases/response.js')).observationsOf(exchange);

  it('a Bedrock oneshot whose body was cut still has the counts of its head (x-amzn-bedrock-*-token-count): reported, not estimated', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ mode: 'oneshot', localTokenEstimate: 500 });
    const response = head(200, { 'content-type': 'application/json', 'x-amzn-bedrock-input-token-count': '321', 'x-amzn-bedrock-output-token-count': '45' });
    aiResponseHeaders({ ctx, response, exchange });
    expect(response.headers['x-amzn-bedrock-input-token-count']).toBeUndefined();
    const body = aiResponseBody({ ctx, response, exchange })!;
    // Only the transform runs: the upstream broke off, so flush never comes.
    (body as Transformer<Uint8Array, Uint8Array>).transform!(enc.encode('{"id":"msg_'), { enqueue() {} } as unknown as TransformStreamDefaultController<Uint8Array>);
    const usage = buildAiProxyLog({ exchange, observations: await observed(exchange) }).usage as Record<string, JsonValue>;
    expect(usage).toMatchObject({ prompt_tokens: 321, completion_tokens: 45 });
    expect(usage).not.toHaveProperty('completion_tokens_estimated');
    expect(usage).not.toHaveProperty('reported');
  });

  it('an Anthropic stream cut after three deltas: output estimated from them, input as reported', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ provider: 'anthropic', localTokenEstimate: 500 });
    const response = head(200, { 'content-type': 'text/event-stream', 'request-id': 'req_011' });
    aiResponseHeaders({ ctx, response, exchange });
    const body = aiResponseBody({ ctx, response, exchange }) as Transformer<Uint8Array, Uint8Array>;
    const delta = (text: string) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}\n\n`;
    const sse = 'event: message_start\ndata: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":30,"output_tokens":1}}}\n\n'
      + delta('The quick brown fox ') + delta('jumps over the lazy ') + delta('dog, again and again');
    body.transform!(enc.encode(sse), { enqueue() {} } as unknown as TransformStreamDefaultController<Uint8Array>);
    const value = buildAiProxyLog({ exchange, observations: await observed(exchange) });
    const usage = value.usage as Record<string, JsonValue>;
    // 60 bytes of text: ceil(60 / 4) = 15 tokens, more than one per delta and than the provisional 1.
    expect(usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 15, total_tokens: 45, completion_tokens_estimated: true, reported: { prompt_tokens: 30, completion_tokens: 1 }, relayed_deltas: 3 });
    expect(usage).not.toHaveProperty('prompt_tokens_estimated');
    expect((value.meta as Record<string, JsonValue>).upstream_request_id).toBe('req_011');
  });

  it('an upstream error generated nothing: no estimate', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ mode: 'oneshot', localTokenEstimate: 500 });
    const response = head(429, { 'x-amzn-errortype': 'ThrottlingException' });
    aiResponseHeaders({ ctx, response, exchange });
    await run(aiResponseBody({ ctx, response, exchange })!, [enc.encode('{"message":"slow down"}')]);
    const usage = buildAiProxyLog({ exchange, observations: await observed(exchange) }).usage as Record<string, JsonValue>;
    expect(usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
    expect(usage).not.toHaveProperty('prompt_tokens_estimated');
    expect(usage).not.toHaveProperty('completion_tokens_estimated');
  });
});

describe('ai.proxy meta.client_model', () => {
  it('names the client’s model only when an alias sent another one upstream', () => {
    const aliased = buildAiProxyLog({ exchange: makeExchange({ clientModel: 'claude-haiku-4-5-20251001' }) }).meta as Record<string, JsonValue>;
    expect(aliased.client_model).toBe('claude-haiku-4-5-20251001');
    const same = makeExchange({});
    const direct = buildAiProxyLog({ exchange: makeExchange({ clientModel: same.requestModel }) }).meta as Record<string, JsonValue>;
    expect(direct).not.toHaveProperty('client_model');
  });
});
