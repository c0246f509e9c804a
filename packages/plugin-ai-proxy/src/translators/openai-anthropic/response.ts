/**
 * An Anthropic message → a Chat Completions answer. The message must be reshaped whole, so it is read to its
 * end (up to a cap) and answered at once; nothing reaches the client before that, so a cut or unreadable
 * answer is still an HTTP error. Text blocks are joined as they are (Kong puts a newline between them, which
 * changes text Claude split at a citation); thinking becomes `reasoning_content`; tool_use blocks tool calls.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { completionJson, type CompletionToolCall } from '../../formats/openai/completion.js';
import { answerJson, capturePayload, createBodyCopy } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { claudeUsage, finishReason } from './answer.js';

/** Far above any real answer; a body past it is refused rather than held. */
const ANSWER_CAP = 16 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function messageToCompletion(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(ANSWER_CAP);
  const seen = observe(exchange, response.status);
  const fail = (controller: TransformStreamDefaultController<Uint8Array>, error: AiError) => {
    exchange.error = error;
    const body = exchange.format.errorBody(error);
    capturePayload(exchange, body);
    answerJson(response, controller, exchange.format.errorStatus(error), body);
  };
  return {
    transform(chunk, controller) {
      copy.add(chunk);
      if (!copy.truncated()) return;
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      fail(controller, { status: 502, kind: 'server', message: `upstream answer is larger than ${ANSWER_CAP} bytes` });
      controller.terminate();
    },
    flush(controller) {
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      let message: unknown;
      try {
        message = JSON.parse(copy.text());
      } catch {
        message = undefined;
      }
      if (!isObject(message) || !Array.isArray(message.content)) {
        fail(controller, { status: 502, kind: 'server', message: 'upstream answer is not an Anthropic message' });
        return;
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
      const body = completionJson({
        id: exchange.responseId,
        created: Math.floor(Date.now() / 1000),
        model: exchange.responseModel ?? exchange.requestModel,
        content: text,
        reasoning,
        toolCalls,
        finishReason: finishReason(message.stop_reason),
        usage: exchange.usage,
      });
      seen.bodyBytes = Buffer.byteLength(body);
      capturePayload(exchange, body);
      answerJson(response, controller, 200, body);
    },
  };
}
