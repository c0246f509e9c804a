/**
 * The cost of an exchange in USD (docs/models.md, "Cost"): Kong's `model.options.*_cost` when the config
 * sets any (as Kong computes it, missing prices 0), else the catalogue's table for the upstream model
 * actually called, each kind of token at its own rate: cache reads, cache writes at the 5-minute or the
 * 1-hour price, and the long-context tier past its prompt size. Undefined when nothing prices the call,
 * or the catalogue has no confirmed price for a kind of token it used.
 */
import { costUsd } from '@gw/model-catalogue';
import type { Costs, Pricing } from '../exchange.js';
import type { ModelOptions } from '../config/types.js';
import type { UpstreamModels } from '../models/upstream-models.js';
import type { TokenUsage } from '../usage.js';

const isPrice = (value: unknown): value is number => typeof value === 'number';

/**
 * Kong's four `*_cost` fields keep precedence: any of them set prices the call as Kong does (an absent one
 * counts 0). Without them, the catalogue's table for `called`, the upstream model actually called.
 */
export function pricingFor(options: ModelOptions | undefined, upstream: UpstreamModels | undefined, called: string): Pricing | undefined {
  const { input_cost, output_cost, cache_read_cost, cache_write_cost } = options ?? {};
  if (isPrice(input_cost) || isPrice(output_cost) || isPrice(cache_read_cost) || isPrice(cache_write_cost)) {
    return { source: 'config', costs: { input: input_cost ?? 0, output: output_cost ?? 0, cacheRead: cache_read_cost ?? 0, cacheWrite: cache_write_cost ?? 0 } };
  }
  const prices = upstream?.lookup(called)?.prices;
  return prices === undefined ? undefined : { source: 'catalogue', prices };
}

/** Per-million prices; a missing price counts as 0. Reasoning tokens are output tokens, priced as such. */
export function usageCost(usage: TokenUsage, costs: Costs): number {
  return (usage.input * costs.input + usage.output * costs.output + usage.cacheRead * costs.cacheRead + usage.cacheWrite * costs.cacheWrite) / 1_000_000;
}

export function exchangeCost(usage: TokenUsage, pricing: Pricing | undefined): number | undefined {
  if (pricing === undefined) return undefined;
  if (pricing.source === 'config') return usageCost(usage, pricing.costs);
  // A write total without a TTL split is 5-minute writes, the default TTL.
  const cacheWrite1h = Math.min(usage.cacheWrite1h ?? 0, usage.cacheWrite);
  return costUsd(
    { input: usage.input, output: usage.output, cacheRead: usage.cacheRead, cacheWrite5m: usage.cacheWrite - cacheWrite1h, cacheWrite1h },
    pricing.prices,
  );
}
