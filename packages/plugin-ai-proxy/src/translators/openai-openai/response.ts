/**
 * A whole Chat Completions answer relayed as it came; a capped copy is read at its end for the id, the
 * model, the finish reasons and the usage (an answer is small next to its request).
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { openaiUsageCounts } from '../../backends/openai/usage.js';
import { capturePayload, createBodyCopy } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';

/** Enough for any real answer; a larger one still goes through, only its usage goes unread. */
const COPY_CAP = 8 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function completionPassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(COPY_CAP);
  const seen = observe(exchange, response.status);
  return {
    transform(chunk, controller) {
      copy.add(chunk);
      seen.bodyBytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush() {
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      const text = copy.text();
      capturePayload(exchange, text);
      if (copy.truncated()) return;
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        return;
      }
      if (!isObject(answer)) return;
      if (typeof answer.id === 'string') exchange.responseId = answer.id;
      if (typeof answer.model === 'string') exchange.responseModel = answer.model;
      if (Array.isArray(answer.choices)) {
        const reasons = answer.choices.map((choice) => (isObject(choice) ? choice.finish_reason : undefined)).filter((r): r is string => typeof r === 'string');
        if (reasons.length > 0) exchange.finishReasons = reasons;
      }
      const counts = openaiUsageCounts(answer.usage);
      if (counts === undefined) return;
      const usage = createUsageTracker();
      usage.reported(counts);
      exchange.usage = usage.current();
      seen.promptReported = counts.input !== undefined;
      seen.finalOutputReported = counts.output !== undefined;
    },
  };
}
