/** The pure parts: which rules a request falls under, what it is charged, what the client is told. */
import { describe, expect, it } from 'vitest';
import type { AiCall, AiUsageReport, RequestContext } from '@gw/plugin-api';
import { amountFor, clientHeaders, countersFor, keysToRead, measure } from '../src/decision.js';
import { applicable, compileRules } from '../src/rules.js';
import type { AiRateLimitingConfig } from '../src/config.js';

const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0, costUsd?: number): AiUsageReport => ({
  tokens: { input, output, cacheRead, cacheWrite },
  costUsd,
  estimated: { input: false, output: false },
  complete: true,
});

const call = (provider = 'bedrock', clientModel = 'claude-haiku-4-5'): AiCall => ({
  provider, format: 'anthropic', routeType: 'llm/v1/chat', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', clientModel, stream: true, usage: () => usage(0, 0),
});

function ctx(o: { consumer?: string; groups?: string[]; ip?: string; headers?: Record<string, string>; path?: string } = {}): RequestContext {
  return {
    consumer: o.consumer ? { id: `id-${o.consumer}`, username: o.consumer, created_at: 0 } : null,
    consumerGroups: (o.groups ?? []).map((name) => ({ id: `gid-${name}`, name, created_at: 0 })),
    request: { clientIp: o.ip ?? '10.1.2.3', headers: o.headers ?? {}, path: o.path ?? '/v1/messages' },
  } as unknown as RequestContext;
}

const base = { tokens_count_strategy: 'total_tokens', identifier: 'consumer', window_type: 'sliding' } as const;
const rules = (config: Partial<AiRateLimitingConfig>) => compileRules({ ...base, ...config } as AiRateLimitingConfig);
const names = (a: ReturnType<typeof applicable>) => a.map((x) => `${x.rule.name}/${x.rule.windowSize}@${x.who}`);

describe('what a request is charged', () => {
  it('prompt tokens are input plus cache reads and writes; cost is the call\'s price, 0 without one', () => {
    const u = usage(10, 20, 300, 40, 0.0123);
    expect(amountFor('total_tokens', u)).toBe(370);
    expect(amountFor('prompt_tokens', u)).toBe(350);
    expect(amountFor('completion_tokens', u)).toBe(20);
    expect(amountFor('cost', u)).toBe(0.0123);
    expect(amountFor('cost', usage(1, 1))).toBe(0);
  });
});

describe('which limits apply', () => {
  it('llm_providers: the entries for the called provider, one per window, per identifier', () => {
    const r = rules({ llm_providers: [{ name: 'bedrock', limit: [10, 100], window_size: [60, 3600] }, { name: 'openai', limit: [5], window_size: [60] }] });
    expect(names(applicable(r, ctx({ consumer: 'alice' }), call(), () => 'id-alice'))).toEqual(['bedrock/60@id-alice', 'bedrock/3600@id-alice']);
    expect(names(applicable(r, ctx(), call('anthropic'), () => 'x'))).toEqual([]);
  });

  it('policies: every matching policy, partitioned by its partition_by values; the fallback only when none matched', () => {
    const r = rules({
      policies: [
        { match: [{ type: 'consumer_group', key: 'name', values: ['gold'], partition_by: false }, { type: 'model', partition_by: true }], limits: [{ limit: 1, window_size: 60, tokens_count_strategy: 'total_tokens' }], window_type: 'fixed' },
        { match: [{ type: 'ip', values: ['10.0.0.0/8', '::1'], partition_by: true }], limits: [{ limit: 2, window_size: 60, tokens_count_strategy: 'cost' }], window_type: 'sliding' },
        { match: [{ type: 'header', key: 'X-Team', partition_by: true }], limits: [{ limit: 3, window_size: 60, tokens_count_strategy: 'total_tokens' }], window_type: 'sliding' },
        { limits: [{ limit: 9, window_size: 60, tokens_count_strategy: 'total_tokens' }], window_type: 'sliding' },
      ],
    });
    const none = () => '';
    expect(names(applicable(r, ctx({ consumer: 'a', groups: ['gold', 'silver'] }), call(), none))).toEqual(['policy-1/60@model=claude-haiku-4-5', 'policy-2/60@ip=10.1.2.3']);
    expect(names(applicable(r, ctx({ ip: '192.168.0.1', headers: { 'x-team': 'red' } }), call(), none))).toEqual(['policy-3/60@header=red']);
    expect(names(applicable(r, ctx({ ip: '192.168.0.1' }), call(), none))).toEqual(['policy-4/60@*']);
  });
});

describe('the decision and the headers', () => {
  it("a sliding window counts the previous one weighted; Anthropic's families by strategy; Retry-After when room comes back", () => {
    const r = rules({
      policies: [{ limits: [{ limit: 100, window_size: 60, tokens_count_strategy: 'prompt_tokens' }, { limit: 1, window_size: 60, tokens_count_strategy: 'cost' }], window_type: 'sliding' }],
    });
    const now = 75_000; // 15 s into the window [60 s, 120 s)
    const counted = countersFor('ns', applicable(r, ctx(), call(), () => ''), now);
    expect(keysToRead(counted).map((k) => k.key)).toEqual([
      'gw:ai-rl:ns:policy-1:prompt_tokens:*:60:60000', 'gw:ai-rl:ns:policy-1:prompt_tokens:*:60:0',
      'gw:ai-rl:ns:policy-1:cost:*:60:60000', 'gw:ai-rl:ns:policy-1:cost:*:60:0',
    ]);
    // prompt: 80 × 45/60 + 50 = 110 ≥ 100: exhausted; cost: 0.2 left.
    const measured = measure(counted, [50, 80, 0.3, 0.6], now);
    expect(measured.map((m) => [m.estimate, m.exhausted])).toEqual([[110, true], [0.75, false]]);
    const h = clientHeaders(measured, true, now, { format: 'anthropic', hide: false, jitter: 0 });
    // 80 × (45 − t)/60 + 50 < 100 ⇒ t > 7.5 s
    expect(h['retry-after']).toBe('8');
    expect(h['x-ai-ratelimit-remaining-60-policy-1']).toBeDefined();
    expect(h['anthropic-ratelimit-input-tokens-remaining']).toBe('0');
    expect(h['anthropic-ratelimit-input-tokens-limit']).toBe('100');
    expect(h['anthropic-ratelimit-tokens-limit']).toBeUndefined();
    expect(h['ratelimit-remaining']).toBe('0');
    const hidden = clientHeaders(measured, true, now, { format: 'kong', hide: true, jitter: 0 });
    expect(hidden).toEqual({ 'retry-after': '8' });
  });
});
