/**
 * Cost from the catalogue for the model actually called, worked out by hand from
 * packages/model-catalogue/data/catalogue.json (USD per million tokens, checked 2026-12-06):
 *   Haiku 4.5   Bedrock regional 1.1 / 5.5, cache write 5m 1.375, 1h 2.2, read 0.11; Claude API 1 / 5
 *   Sonnet 4.5  Bedrock global 3 / 15, write 5m 3.75, 1h 6, read 0.3;
 *               regional above 200K prompt tokens 6.6 / 24.75, read 0.66
 *   Opus 4.1    Bedrock 15 / 75, 1h cache write null (unconfirmed)
 */
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@gw/plugin-api';
import { exchangeCost, pricingFor } from '../../src/stats/cost.js';
import { bedrockModels } from '../../src/backends/bedrock/models.js';
import { anthropicModels } from '../../src/backends/anthropic/models.js';
import { buildAiProxyLog } from '../../src/stats/index.js';
import { aiCall } from '../../src/stats/ai-call.js';
import type { TokenUsage } from '../../src/usage.js';
import { fakeCtx, makeExchange } from '../support/response-harness.js';

const bedrock = bedrockModels('us-east-1');
const catalogueCost = (upstreamId: string, usage: TokenUsage, upstream = bedrock) => exchangeCost(usage, pricingFor(undefined, upstream, upstreamId));

describe('cost from the catalogue', () => {
  it('Haiku 4.5 through its us. profile: each kind of token at its own regional price', () => {
    // 2000×1.1 + 1000×5.5 + 10000×0.11 + 4000×1.375 = 2200 + 5500 + 1100 + 5500 = 14300 µUSD
    const usage = { input: 2000, output: 1000, cacheRead: 10_000, cacheWrite: 4000 };
    expect(catalogueCost('us.anthropic.claude-haiku-4-5-20251001-v1:0', usage)).toBe(0.0143);
  });

  it('Sonnet 4.5 through global.: the global table, 1-hour cache writes at their own price', () => {
    // 1000×3 + 500×15 + 2000×3.75 (5 min) + 1000×6 (1 h) = 3000 + 7500 + 7500 + 6000 = 24000 µUSD
    const usage = { input: 1000, output: 500, cacheRead: 0, cacheWrite: 3000, cacheWrite1h: 1000 };
    expect(catalogueCost('global.anthropic.claude-sonnet-4-5-20250929-v1:0', usage)).toBe(0.024);
    // The same through us.: regional, 10% more: 3300 + 8250 + 2000×4.125 + 1000×6.6 = 3300 + 8250 + 8250 + 6600 = 26400
    expect(catalogueCost('us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage)).toBe(0.0264);
  });

  it('Sonnet 4.5 past 200K prompt tokens: every token at the long-context rates', () => {
    // prompt 150000 + 60000 read = 210000 > 200000: 150000×6.6 + 60000×0.66 + 2000×24.75 = 990000 + 39600 + 49500
    const usage = { input: 150_000, output: 2000, cacheRead: 60_000, cacheWrite: 0 };
    expect(catalogueCost('us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage)).toBe(1.0791);
    // At 200000 exactly the standard rates apply: 140000×3.3 + 60000×0.33 + 2000×16.5 = 462000 + 19800 + 33000
    expect(catalogueCost('us.anthropic.claude-sonnet-4-5-20250929-v1:0', { ...usage, input: 140_000 })).toBe(0.5148);
  });

  it('no number rather than a wrong one: Opus 4.1 1-hour writes on Bedrock have no confirmed price', () => {
    expect(catalogueCost('us.anthropic.claude-opus-4-1-20250805-v1:0', { input: 100, output: 10, cacheRead: 0, cacheWrite: 50, cacheWrite1h: 50 })).toBeUndefined();
    // 100×15 + 10×75 = 2250 µUSD
    expect(catalogueCost('us.anthropic.claude-opus-4-1-20250805-v1:0', { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 })).toBe(0.00225);
  });

  it('the Anthropic API at its own prices, aliases included', () => {
    // 1000×1 + 1000×5 = 6000 µUSD
    expect(catalogueCost('claude-haiku-4-5', { input: 1000, output: 1000, cacheRead: 0, cacheWrite: 0 }, anthropicModels())).toBe(0.006);
  });

  it("Kong's cost fields keep precedence; an id the catalogue can't name has no price", () => {
    const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(pricingFor({ input_cost: 3 }, bedrock, HAIKU)).toEqual({ source: 'config', costs: { input: 3, output: 0, cacheRead: 0, cacheWrite: 0 } });
    expect(pricingFor({ cache_read_cost: 0.3 }, bedrock, HAIKU)?.source).toBe('config');
    expect(pricingFor({ max_tokens: 10 }, bedrock, HAIKU)?.source).toBe('catalogue');
    expect(pricingFor(undefined, bedrock, 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123')).toBeUndefined();
    expect(pricingFor(undefined, undefined, HAIKU)).toBeUndefined();
  });

  it('the log and AI_CALL carry the same catalogue cost, and say where it came from', () => {
    const exchange = makeExchange({
      mode: 'oneshot',
      usage: { input: 2000, output: 1000, cacheRead: 10_000, cacheWrite: 4000 },
      pricing: pricingFor(undefined, bedrock, 'us.anthropic.claude-haiku-4-5-20251001-v1:0'),
    });
    const usage = buildAiProxyLog({ exchange }).usage as Record<string, JsonValue>;
    expect(usage.cost).toBe(0.0143);
    expect(usage.cost_source).toBe('catalogue');
    expect(aiCall(fakeCtx(), exchange, 'anthropic').usage().costUsd).toBe(0.0143);
    const unpriced = makeExchange({ pricing: undefined, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 } });
    expect(buildAiProxyLog({ exchange: unpriced }).usage).toMatchObject({ cost: 0 });
    expect(aiCall(fakeCtx(), unpriced, 'anthropic').usage().costUsd).toBeUndefined();
  });
});
