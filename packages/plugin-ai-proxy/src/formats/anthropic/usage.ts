/** Anthropic's `usage` object (a message, message_start, message_delta) → the neutral counts (usage.ts). */
import { count, type UsageCounts } from '../../usage.js';

/**
 * Undefined when `usage` is not an object; `input_tokens` excludes cache reads and writes, as the neutral
 * `input` does. `cache_creation.ephemeral_1h_input_tokens` is the 1-hour part of the cache writes (priced
 * at 2× input rather than 1.25×).
 */
export function anthropicUsage(usage: unknown): UsageCounts | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const raw = usage as Record<string, unknown>;
  const counts: UsageCounts = {};
  const input = count(raw.input_tokens);
  const output = count(raw.output_tokens);
  const cacheRead = count(raw.cache_read_input_tokens);
  const cacheWrite = count(raw.cache_creation_input_tokens);
  if (input !== undefined) counts.input = input;
  if (output !== undefined) counts.output = output;
  if (cacheRead !== undefined) counts.cacheRead = cacheRead;
  if (cacheWrite !== undefined) counts.cacheWrite = cacheWrite;
  const split = raw.cache_creation;
  const cacheWrite1h = split !== null && typeof split === 'object' ? count((split as Record<string, unknown>).ephemeral_1h_input_tokens) : undefined;
  if (cacheWrite1h !== undefined) counts.cacheWrite1h = cacheWrite1h;
  return counts;
}
