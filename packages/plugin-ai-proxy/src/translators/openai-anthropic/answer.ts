/**
 * What an Anthropic answer says, in OpenAI's terms: `stop_reason` → `finish_reason`, and usage with the
 * thinking tokens Anthropic reports apart. Kong passes stop_reason through unchanged (`end_turn` reaches
 * OpenAI clients, which know only stop, length, tool_calls and content_filter).
 */
import { count, type UsageCounts } from '../../usage.js';
import { anthropicUsage } from '../../formats/anthropic/usage.js';

const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function finishReason(stopReason: unknown): string {
  return typeof stopReason === 'string' ? FINISH[stopReason] ?? 'stop' : 'stop';
}

/** Anthropic's usage (formats/anthropic/usage.ts) and `output_tokens_details.thinking_tokens` as reasoning. */
export function claudeUsage(usage: unknown): UsageCounts | undefined {
  const counts = anthropicUsage(usage);
  if (counts === undefined) return undefined;
  const details = (usage as { output_tokens_details?: unknown }).output_tokens_details;
  const thinking = details !== null && typeof details === 'object' ? count((details as { thinking_tokens?: unknown }).thinking_tokens) : undefined;
  if (thinking !== undefined) counts.reasoning = thinking;
  return counts;
}
