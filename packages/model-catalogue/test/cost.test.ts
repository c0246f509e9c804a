/**
 * Costs worked out by hand from the catalogue's prices (USD per million tokens): cost = tokens × rate / 1e6.
 * Each example writes the arithmetic out, so a wrong price or a wrong formula shows as a wrong sum.
 */
import { describe, expect, it } from 'vitest';
import { costUsd, defaultCatalogue, promptTokens, type Prices } from '@gw/model-catalogue';

const catalogue = defaultCatalogue();
const anthropic = (id: string): Prices => catalogue.resolve(id)!.anthropic.prices;
const bedrock = (id: string, region: string, global: 'never' | 'prefer' = 'never'): Prices =>
  catalogue.bedrockTarget(catalogue.resolve(id)!, region, { global })!.prices;

describe('costUsd', () => {
  it('Sonnet 4.5 on the Claude API, no cache', () => {
    // input 1,000 × $3 = $0.003; output 500 × $15 = $0.0075; total $0.0105
    expect(costUsd({ input: 1_000, output: 500 }, anthropic('claude-sonnet-4-5'))).toBe(0.0105);
  });

  it('Sonnet 4.5 on Bedrock through the us. profile (regional prices), with cache reads and 5-minute writes', () => {
    // input 2,000 × $3.30 = $0.0066; output 1,000 × $16.50 = $0.0165;
    // cache read 10,000 × $0.33 = $0.0033; cache write 5m 4,000 × $4.125 = $0.0165; total $0.0429
    const usage = { input: 2_000, output: 1_000, cacheRead: 10_000, cacheWrite5m: 4_000 };
    expect(costUsd(usage, bedrock('claude-sonnet-4-5-20250929', 'us-east-1'))).toBe(0.0429);
  });

  it('Haiku 4.5 on Bedrock through the global profile, with cache reads and 1-hour writes', () => {
    // input 100 × $1 = $0.0001; output 200 × $5 = $0.001; cache read 50,000 × $0.10 = $0.005;
    // cache write 1h 3,000 × $2 = $0.006; total $0.0121
    const usage = { input: 100, output: 200, cacheRead: 50_000, cacheWrite1h: 3_000 };
    expect(costUsd(usage, bedrock('claude-haiku-4-5', 'us-east-1', 'prefer'))).toBe(0.0121);
  });

  it('Opus 4.1 on the Claude API, every kind of token', () => {
    // input 10 × $15 = $0.00015; output 1,000 × $75 = $0.075; cache read 20,000 × $1.50 = $0.03;
    // cache write 5m 5,000 × $18.75 = $0.09375; cache write 1h 1,000 × $30 = $0.03; total $0.2289
    const usage = { input: 10, output: 1_000, cacheRead: 20_000, cacheWrite5m: 5_000, cacheWrite1h: 1_000 };
    expect(costUsd(usage, anthropic('claude-opus-4-1-20250805'))).toBe(0.2289);
  });

  it('Haiku 3.5 on Bedrock in-region, odd token counts', () => {
    // input 1,234 × $0.80 = $0.0009872; output 56 × $4 = $0.000224; total $0.0012112
    expect(costUsd({ input: 1_234, output: 56 }, bedrock('claude-3-5-haiku-20241022', 'eu-west-1'))).toBe(0.0012112);
  });

  it('Sonnet 4 past 200K prompt tokens pays long-context rates on every token, output included', () => {
    // prompt = 150,000 input + 60,000 cache read = 210,000 > 200,000 → long-context rates:
    // input 150,000 × $6 = $0.9; cache read 60,000 × $0.60 = $0.036; output 2,000 × $22.50 = $0.045; total $0.981
    const usage = { input: 150_000, cacheRead: 60_000, output: 2_000 };
    expect(promptTokens(usage)).toBe(210_000);
    expect(costUsd(usage, anthropic('claude-sonnet-4-20250514'))).toBe(0.981);
  });

  it('exactly 200K prompt tokens stays at the base rates', () => {
    // prompt = 140,000 + 60,000 = 200,000, not above the threshold:
    // input 140,000 × $3 = $0.42; cache read 60,000 × $0.30 = $0.018; output 2,000 × $15 = $0.03; total $0.468
    expect(costUsd({ input: 140_000, cacheRead: 60_000, output: 2_000 }, anthropic('claude-sonnet-4-20250514'))).toBe(0.468);
  });

  it('Haiku 5.5 above 100K prompt tokens (its cache writes count toward the prompt)', () => {
    // prompt = 90,000 input + 20,000 cache write 5m = 110,000 > 100,000 → upper band:
    // input 90,000 × $0.50 = $0.045; cache write 5m 20,000 × $0.625 = $0.0125; output 1,000 × $2.50 = $0.0025; total $0.06
    expect(costUsd({ input: 90_000, cacheWrite5m: 20_000, output: 1_000 }, anthropic('claude-haiku-5-5'))).toBe(0.06);
    // Below the band: input 90,000 × $0.10 = $0.009; output 1,000 × $0.50 = $0.0005; total $0.0095
    expect(costUsd({ input: 90_000, output: 1_000 }, anthropic('claude-haiku-5-5'))).toBe(0.0095);
  });

  it('is undefined when tokens of a kind have no confirmed price, and ignores unpriced kinds with no tokens', () => {
    const opus41 = bedrock('claude-opus-4-1-20250805', 'us-east-1'); // Bedrock 1-hour cache price not confirmed
    expect(opus41.cacheWrite1h).toBeNull();
    expect(costUsd({ input: 1_000, cacheWrite1h: 100 }, opus41)).toBeUndefined();
    // input 1,000 × $15 = $0.015
    expect(costUsd({ input: 1_000, cacheWrite1h: 0 }, opus41)).toBe(0.015);
  });

  it('is 0 for an empty usage record', () => {
    expect(costUsd({}, anthropic('claude-sonnet-4-5'))).toBe(0);
  });
});
