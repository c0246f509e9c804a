/**
 * Converse's `usage` (a Converse answer, ConverseStream's `metadata` event) → the neutral counts (usage.ts).
 * `inputTokens` excludes the cached part of the prompt, as Anthropic's `input_tokens` does: the whole prompt
 * is inputTokens + cacheReadInputTokens + cacheWriteInputTokens (totalTokens adds outputTokens).
 */
import { count, type UsageCounts } from '../../../usage.js';

/** Undefined when `usage` is not an object. */
export function converseUsage(usage: unknown): UsageCounts | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const raw = usage as Record<string, unknown>;
  const counts: UsageCounts = {};
  const input = count(raw.inputTokens);
  const output = count(raw.outputTokens);
  const cacheRead = count(raw.cacheReadInputTokens);
  const cacheWrite = count(raw.cacheWriteInputTokens);
  if (input !== undefined) counts.input = input;
  if (output !== undefined) counts.output = output;
  if (cacheRead !== undefined) counts.cacheRead = cacheRead;
  if (cacheWrite !== undefined) counts.cacheWrite = cacheWrite;
  return counts;
}
