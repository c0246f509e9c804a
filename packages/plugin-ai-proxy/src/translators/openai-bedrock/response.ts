/**
 * A Converse answer → a Chat Completions answer. Converse's JSON is small next to a request and must be
 * reshaped whole (phases/whole-answer.ts: read to its end, answered at once).
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { converseUsage } from '../../backends/bedrock/converse/usage.js';
import { completionJson, type CompletionToolCall } from '../../formats/openai/completion.js';
import { observe } from '../../phases/observations.js';
import { wholeAnswer } from '../../phases/whole-answer.js';
import { completionId, finishReason } from './finish.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function converseToCompletion(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return wholeAnswer(ctx, response, exchange, fromConverse);
}

function fromConverse(raw: string, ctx: RequestContext, exchange: AiExchange): string | AiError {
  const seen = observe(exchange);
  let answer: unknown;
  try {
    answer = JSON.parse(raw);
  } catch {
    answer = undefined;
  }
  const message = isObject(answer) && isObject(answer.output) ? answer.output.message : undefined;
  if (!isObject(answer) || !isObject(message) || !Array.isArray(message.content)) {
    return { status: 502, kind: 'server', message: 'upstream answer is not a Converse response' };
  }
  let text: string | undefined;
  let reasoning: string | undefined;
  const toolCalls: CompletionToolCall[] = [];
  for (const block of message.content as unknown[]) {
    if (!isObject(block)) continue;
    if (typeof block.text === 'string') text = (text ?? '') + block.text;
    else if (isObject(block.toolUse)) {
      const { toolUseId, name, input } = block.toolUse;
      toolCalls.push({ id: String(toolUseId), name: String(name), arguments: JSON.stringify(input ?? {}) });
    } else if (isObject(block.reasoningContent) && isObject(block.reasoningContent.reasoningText)) {
      const thought = block.reasoningContent.reasoningText.text;
      if (typeof thought === 'string') reasoning = (reasoning ?? '') + thought;
    }
  }
  const counts = converseUsage(answer.usage);
  const usage = createUsageTracker();
  usage.reported(counts);
  exchange.usage = usage.current();
  seen.promptReported = counts?.input !== undefined;
  seen.finalOutputReported = counts?.output !== undefined;
  if (typeof answer.stopReason === 'string') exchange.finishReasons = [answer.stopReason];
  exchange.responseId = completionId(ctx.id);
  return completionJson({
    id: exchange.responseId,
    created: Math.floor(Date.now() / 1000),
    model: exchange.requestModel,
    content: text,
    reasoning,
    toolCalls,
    finishReason: finishReason(answer.stopReason),
    usage: exchange.usage,
  });
}
