import { describe, expect, it } from 'vitest';
import { createUsageTracker, emptyUsage, promptTokens } from '../src/usage.js';
import { anthropicUsage } from '../src/formats/anthropic/usage.js';
import { invocationMetrics, stopEventMetrics, tokenCountHeaders } from '../src/backends/bedrock/metrics.js';
import { buildAiProxyLog } from '../src/stats/index.js';
import { aiCall } from '../src/stats/ai-call.js';
import { fakeCtx, makeExchange } from './support/response-harness.js';

describe('the neutral usage record', () => {
  it('reads Anthropic usage objects by their names, ignoring what is not a count', () => {
    expect(anthropicUsage({ input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 11, cache_creation_input_tokens: 13 })).toEqual({ input: 5, output: 7, cacheRead: 11, cacheWrite: 13 });
    expect(anthropicUsage({ output_tokens: 3, input_tokens: -1, cache_read_input_tokens: '4' })).toEqual({ output: 3 });
    expect(anthropicUsage(null)).toBeUndefined();
  });

  it('reads the 1-hour part of cache writes from cache_creation (priced apart from 5-minute writes)', () => {
    const usage = { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 0, cache_creation_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 } };
    expect(anthropicUsage(usage)).toEqual({ input: 5, output: 7, cacheRead: 0, cacheWrite: 300, cacheWrite1h: 200 });
    expect(anthropicUsage({ cache_creation_input_tokens: 3, cache_creation: null })).toEqual({ cacheWrite: 3 });
    const tracker = createUsageTracker();
    tracker.reported(anthropicUsage(usage));
    tracker.reported({ output: 9 });
    expect(tracker.current()).toEqual({ input: 5, output: 9, cacheRead: 0, cacheWrite: 300, cacheWrite1h: 200 });
  });

  it("reads Bedrock's invocation metrics, the last event that carries them, and the token-count headers", () => {
    expect(invocationMetrics({ inputTokenCount: 1, outputTokenCount: 2, cacheReadInputTokenCount: 3, cacheWriteInputTokenCount: 4, invocationLatency: 9 })).toEqual({ input: 1, output: 2, cacheRead: 3, cacheWrite: 4 });
    expect(stopEventMetrics('{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":8,"outputTokenCount":9}}')).toEqual({ input: 8, output: 9 });
    expect(stopEventMetrics('{"type":"message_stop"}')).toBeUndefined();
    expect(tokenCountHeaders({ 'x-amzn-bedrock-input-token-count': '12', 'x-amzn-bedrock-output-token-count': '3', 'x-amzn-bedrock-cache-read-input-token-count': 'x' })).toEqual({ input: 12, output: 3 });
    expect(tokenCountHeaders({ 'x-amzn-bedrock-cache-read-input-token-count': '5' })).toBeUndefined();
  });

  it("merges: the answer's own counts win, a side channel fills only what they lack", () => {
    const usage = createUsageTracker();
    expect(usage.current()).toEqual(emptyUsage());
    usage.fallback({ input: 100, output: 50, cacheRead: 7 });
    usage.reported({ input: 90 });
    usage.reported({ output: 40 });
    expect(usage.current()).toEqual({ input: 90, output: 40, cacheRead: 7, cacheWrite: 0 });
    usage.reported({ reasoning: 12 });
    expect(usage.current()).toEqual({ input: 90, output: 40, cacheRead: 7, cacheWrite: 0, reasoning: 12 });
    expect(promptTokens({ input: 1, output: 100, cacheRead: 10, cacheWrite: 1000 })).toBe(1011);
  });

  it("maps to Kong's ai.proxy usage and to AI_CALL, reasoning tokens included when reported", () => {
    const exchange = makeExchange({ mode: 'oneshot', usage: { input: 10, output: 30, cacheRead: 100, cacheWrite: 1000, reasoning: 20 } });
    const log = buildAiProxyLog({ exchange }).usage as Record<string, unknown>;
    expect(log).toMatchObject({
      prompt_tokens: 1110,
      completion_tokens: 30,
      total_tokens: 1140,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 20 },
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 1000,
    });
    const ctx = { ...fakeCtx(), signal: new AbortController().signal } as never;
    expect(aiCall(ctx, exchange, 'anthropic').usage().tokens).toEqual({ input: 10, output: 30, cacheRead: 100, cacheWrite: 1000, reasoning: 20 });
    const plain = makeExchange({ mode: 'oneshot', usage: { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 } });
    expect(buildAiProxyLog({ exchange: plain }).usage).toMatchObject({ completion_tokens_details: {} });
    expect(aiCall(ctx, plain, 'anthropic').usage().tokens).toEqual({ input: 1, output: 2, cacheRead: 0, cacheWrite: 0 });
  });
});
