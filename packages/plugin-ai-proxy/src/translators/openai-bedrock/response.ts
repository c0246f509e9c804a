/**
 * A Converse answer → a Chat Completions answer. Converse's JSON is small next to a request and must be
 * reshaped whole, so it is read to its end (up to a cap) and answered at once; nothing reaches the client
 * before that, so a cut or unreadable upstream answer is still an HTTP error.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { converseUsage } from '../../backends/bedrock/converse/usage.js';
import { completionJson, type CompletionToolCall } from '../../formats/openai/completion.js';
import { answerJson, capturePayload, createBodyCopy } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { completionId, finishReason } from './finish.js';

/** Far above any real answer; a body past it is refused rather than held. */
const ANSWER_CAP = 16 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function converseToCompletion(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
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
      let answer: unknown;
      try {
        answer = JSON.parse(copy.text());
      } catch {
        answer = undefined;
      }
      const message = isObject(answer) && isObject(answer.output) ? answer.output.message : undefined;
      if (!isObject(answer) || !isObject(message) || !Array.isArray(message.content)) {
        fail(controller, { status: 502, kind: 'server', message: 'upstream answer is not a Converse response' });
        return;
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
      const body = completionJson({
        id: exchange.responseId,
        created: Math.floor(Date.now() / 1000),
        model: exchange.requestModel,
        content: text,
        reasoning,
        toolCalls,
        finishReason: finishReason(answer.stopReason),
        usage: exchange.usage,
      });
      seen.bodyBytes = Buffer.byteLength(body);
      capturePayload(exchange, body);
      answerJson(response, controller, 200, body);
    },
  };
}
