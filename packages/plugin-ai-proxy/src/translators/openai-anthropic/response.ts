/**
 * An Anthropic message → a Chat Completions answer, reshaped whole (phases/whole-answer.ts). Text blocks
 * are joined as they are (Kong puts a newline between them, which changes text Claude split at a
 * citation); thinking becomes `reasoning_content`; tool_use blocks tool calls.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { completionJson, type CompletionToolCall } from '../../formats/openai/completion.js';
import { observe } from '../../phases/observations.js';
import { wholeAnswer } from '../../phases/whole-answer.js';
import { claudeUsage, finishReason } from './answer.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function messageToCompletion(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return wholeAnswer(ctx, response, exchange, fromMessage);
}

function fromMessage(raw: string, ctx: RequestContext, exchange: AiExchange): string | AiError {
  const seen = observe(exchange);
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    message = undefined;
  }
  if (!isObject(message) || !Array.isArray(message.content)) {
    return { status: 502, kind: 'server', message: 'upstream answer is not an Anthropic message' };
  }
  let text: string | undefined;
  let reasoning: string | undefined;
  const toolCalls: CompletionToolCall[] = [];
  for (const block of message.content as unknown[]) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text = (text ?? '') + block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}) });
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning = (reasoning ?? '') + block.thinking;
  }
  const counts = claudeUsage(message.usage);
  const usage = createUsageTracker();
  usage.reported(counts);
  exchange.usage = usage.current();
  seen.promptReported = counts?.input !== undefined;
  seen.finalOutputReported = counts?.output !== undefined;
  if (typeof message.stop_reason === 'string') exchange.finishReasons = [message.stop_reason];
  if (typeof message.model === 'string') exchange.responseModel = message.model;
  exchange.responseId = typeof message.id === 'string' ? message.id : `chatcmpl-${ctx.id}`;
  return completionJson({
    id: exchange.responseId,
    created: Math.floor(Date.now() / 1000),
    model: exchange.responseModel ?? exchange.requestModel,
    content: text,
    reasoning,
    toolCalls,
    finishReason: finishReason(message.stop_reason),
    usage: exchange.usage,
  });
}
