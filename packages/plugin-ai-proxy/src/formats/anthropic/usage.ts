/** Anthropic's `usage` object (a message, message_start, message_delta) → the neutral counts (usage.ts). */
import { count, type UsageCounts } from '../../usage.js';

/** Undefined when `usage` is not an object; `input_tokens` excludes cache reads and writes, as the neutral `input` does. */
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
  return counts;
}
