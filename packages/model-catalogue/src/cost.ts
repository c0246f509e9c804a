import type { Prices, Rates } from './types.js';

/** Token counts of one request, as the upstream's usage reports them (missing counts are 0). */
export interface Usage {
  /** Uncached input tokens (Anthropic's `input_tokens`). */
  input?: number;
  output?: number;
  /** `cache_read_input_tokens`. */
  cacheRead?: number;
  /** Cache writes with the 5-minute TTL; a total without a TTL split belongs here (5 minutes is the default). */
  cacheWrite5m?: number;
  /** Cache writes with the 1-hour TTL (`cache_creation.ephemeral_1h_input_tokens`). */
  cacheWrite1h?: number;
}

const KINDS = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const satisfies readonly (keyof Usage & keyof Rates)[];

/** Prompt tokens as the tiered prices count them: input plus cache reads and writes. */
export function promptTokens(usage: Usage): number {
  return (usage.input ?? 0) + (usage.cacheRead ?? 0) + (usage.cacheWrite5m ?? 0) + (usage.cacheWrite1h ?? 0);
}

/** The rates that bill this request: the `above` tier when its prompt exceeds the threshold. */
export function ratesFor(usage: Usage, prices: Prices): Rates {
  return prices.above !== undefined && promptTokens(usage) > prices.above.promptTokens ? prices.above : prices;
}

/**
 * The request's cost in USD: each kind of token at its own rate per million. undefined when tokens of a
 * kind have no confirmed price (a wrong number in a cost report is worse than none). Rounded to 1e-12 USD
 * so sums of float products print as the decimal they are.
 */
export function costUsd(usage: Usage, prices: Prices): number | undefined {
  const rates = ratesFor(usage, prices);
  let microUsd = 0;
  for (const kind of KINDS) {
    const tokens = usage[kind] ?? 0;
    if (tokens === 0) continue;
    const rate = rates[kind];
    if (rate === null) return undefined;
    microUsd += tokens * rate;
  }
  return Math.round(microUsd * 1e6) / 1e12;
}
