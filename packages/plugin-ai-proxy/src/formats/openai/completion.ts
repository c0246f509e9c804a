/** A whole Chat Completions answer (`object: chat.completion`), one choice, from what a pair read upstream. */
import type { TokenUsage } from '../../usage.js';
import { openaiUsage } from './usage.js';

export interface CompletionToolCall {
  id: string;
  name: string;
  /** The arguments' JSON text. */
  arguments: string;
}

export interface Completion {
  id: string;
  /** Seconds since the epoch. */
  created: number;
  model: string;
  /** The answer's text; undefined when it has none (only tool calls): OpenAI's `content: null`. */
  content: string | undefined;
  /** Reasoning (thinking) text, as `reasoning_content` (the field DeepSeek, vLLM and LiteLLM use). */
  reasoning: string | undefined;
  toolCalls: CompletionToolCall[];
  finishReason: string;
  usage: TokenUsage;
}

export function completionJson(answer: Completion): string {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.content ?? null, refusal: null };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  if (answer.reasoning !== undefined) message.reasoning_content = answer.reasoning;
  return JSON.stringify({
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: openaiUsage(answer.usage),
  });
}
