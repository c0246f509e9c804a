/** The neutral usage record (usage.ts) as OpenAI's `usage` object. */
import { promptTokens, type TokenUsage } from '../../usage.js';

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** `prompt_tokens` is the whole prompt (cache reads and writes included), `cached_tokens` the part read from a cache. */
export function openaiUsage(usage: TokenUsage): OpenAiUsage {
  const prompt = promptTokens(usage);
  const out: OpenAiUsage = {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  };
  if (usage.reasoning !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoning };
  return out;
}
