/**
 * A whole Chat Completions answer relayed as it came (phases/json-passthrough.ts), read at its end for the
 * id, the model, the finish reasons and the usage.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { openaiUsageCounts } from '../../backends/openai/usage.js';
import { jsonPassthrough } from '../../phases/json-passthrough.js';
import { observe } from '../../phases/observations.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function completionPassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return jsonPassthrough(ctx, response, exchange, readCompletion);
}

function readCompletion(exchange: AiExchange, answer: Json): void {
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
  const seen = observe(exchange);
  seen.promptReported = counts.input !== undefined;
  seen.finalOutputReported = counts.output !== undefined;
}
