/** OpenAI's `usage` object → the neutral counts (usage.ts). */
import { count, type UsageCounts } from '../../usage.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `prompt_tokens` is the whole prompt and `cached_tokens` the part read from OpenAI's cache (the neutral
 * `input` excludes it); OpenAI reports no cache writes. `reasoning_tokens` are part of `completion_tokens`,
 * as the neutral `reasoning` is part of `output`. Undefined when `usage` is not an object (`usage: null`).
 */
export function openaiUsageCounts(usage: unknown): UsageCounts | undefined {
  if (!isObject(usage)) return undefined;
  const counts: UsageCounts = {};
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const cached = isObject(usage.prompt_tokens_details) ? count(usage.prompt_tokens_details.cached_tokens) : undefined;
  const reasoning = isObject(usage.completion_tokens_details) ? count(usage.completion_tokens_details.reasoning_tokens) : undefined;
  if (prompt !== undefined) {
    counts.input = Math.max(0, prompt - (cached ?? 0));
    counts.cacheRead = Math.min(cached ?? 0, prompt);
    counts.cacheWrite = 0;
  }
  if (completion !== undefined) counts.output = completion;
  if (reasoning !== undefined) counts.reasoning = reasoning;
  return counts;
}
