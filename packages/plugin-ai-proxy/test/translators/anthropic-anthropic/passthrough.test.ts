import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { LOCAL_FIXTURES, fakeCtx, head, makeExchange, prng, randomSplits, run, shown } from '../../support/response-harness.js';

const enc = new TextEncoder();

/** Body of a captured `.http` response (after the blank line). */
function httpBody(name: string): string {
  const text = readFileSync(new URL(`claude-code/${name}`, LOCAL_FIXTURES), 'utf8');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

const MESSAGE = {
  id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 10, cache_creation_input_tokens: 20, cache_read_input_tokens: 30, output_tokens: 40 },
};

describe('non-streaming answers', () => {
  for (const provider of ['bedrock', 'anthropic'] as const) {
    it(`${provider}: JSON passes through byte for byte; model and usage are read at the end`, async () => {
      const ctx = fakeCtx();
      const exchange = makeExchange({ provider, mode: 'oneshot', logPayloads: true });
      const body = JSON.stringify(MESSAGE);
      const response = head(200, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-bedrock-input-token-count': '10' });
      aiResponseHeaders({ ctx, response, exchange });
      expect(exchange.firstTokenAt).toBeDefined();
      const bytes = enc.encode(body);
      const out = await run(aiResponseBody({ ctx, response, exchange })!, [bytes.subarray(0, 17), bytes.subarray(17)]);
      expect(out).toBe(body);
      expect(response.headers['content-type']).toBe('application/json');
      // The bytes are unchanged, so the upstream's length goes to the client (no chunked framing).
      expect(response.headers['content-length']).toBe(String(body.length));
      expect(exchange.responseModel).toBe('claude-haiku-4-5-20251001');
      expect(exchange.usage).toEqual({ input: 10, output: 40, cacheRead: 30, cacheWrite: 20 });
      expect(exchange.responsePayload).toBe(body);
      expect(exchange.lastTokenAt).toBeGreaterThan(exchange.firstTokenAt!);
      if (provider === 'bedrock') expect(response.headers['x-amzn-bedrock-input-token-count']).toBeUndefined();
    });
  }

  it('anthropic errors pass through unchanged and are recorded', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ provider: 'anthropic', mode: 'stream' });
    const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    const response = head(529, { 'content-type': 'application/json', 'retry-after': '0' });
    aiResponseHeaders({ ctx, response, exchange });
    const out = await run(aiResponseBody({ ctx, response, exchange })!, [enc.encode(body)]);
    expect(out).toBe(body);
    expect(response.status).toBe(529);
    expect(response.headers['retry-after']).toBeUndefined();
    expect(shown(exchange)).toEqual({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
  });
});

describe('Anthropic SSE passthrough', () => {
  for (const name of ['fake-sse-response-text.http', 'fake-sse-response-tool-use.http']) {
    it(`${name}: unchanged bytes, usage and model parsed at any split`, async () => {
      const sse = httpBody(name);
      const random = prng(3);
      for (let round = 0; round < 30; round++) {
        const ctx = fakeCtx();
        const exchange = makeExchange({ provider: 'anthropic' });
        const response = head(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        aiResponseHeaders({ ctx, response, exchange });
        const out = await run(aiResponseBody({ ctx, response, exchange })!, randomSplits(enc.encode(sse), random, 1 + round * 3));
        expect(out).toBe(sse);
        expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        const start = /"usage":(\{[^}]*\})/.exec(sse)!;
        const startUsage = JSON.parse(start[1]!);
        const deltaOutput = Number(/"type":"message_delta".*"output_tokens":(\d+)/.exec(sse)![1]);
        expect(exchange.usage).toEqual({ input: startUsage.input_tokens, cacheRead: startUsage.cache_read_input_tokens, cacheWrite: startUsage.cache_creation_input_tokens, output: deltaOutput });
        expect(exchange.responseModel).toBe('claude-haiku-4-5-20251001');
        expect(exchange.firstTokenAt).toBeDefined();
      }
    });
  }

  it('records an in-stream error event', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange({ provider: 'anthropic' });
    const response = head(200, { 'content-type': 'text/event-stream' });
    const sse = 'event: message_start\r\ndata: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":3}}}\r\n\r\n'
      + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const seen: { terminated?: boolean } = {};
    const out = await run(aiResponseBody({ ctx, response, exchange })!, [enc.encode(sse), enc.encode('event: ping\ndata: {}\n\n')], seen);
    // Nothing follows an error event: the body ends there.
    expect(seen.terminated).toBe(true);
    expect(out).toBe(sse);
    expect(exchange.usage.input).toBe(3);
    expect(shown(exchange)).toEqual({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
  });
});
