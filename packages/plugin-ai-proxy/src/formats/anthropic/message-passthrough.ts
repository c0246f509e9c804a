/**
 * Non-streaming answers (and Anthropic errors), relayed as they come (phases/json-passthrough.ts) and read
 * at their end for the model, usage, and the error an Anthropic error body describes.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { anthropicUsage } from './usage.js';
import { anthropicErrorOf } from './errors.js';
import { jsonPassthrough } from '../../phases/json-passthrough.js';
import { observe } from '../../phases/observations.js';

export function messagePassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return jsonPassthrough(ctx, response, exchange, readMessage);
}

function readMessage(exchange: AiExchange, body: Record<string, unknown>, status: number): void {
  if (status < 200 || status >= 300) {
    exchange.error = anthropicErrorOf(body.error, status);
    return;
  }
  if (typeof body.model === 'string') exchange.responseModel = body.model;
  if (typeof body.id === 'string') exchange.responseId = body.id;
  if (typeof body.stop_reason === 'string') exchange.finishReasons = [body.stop_reason];
  const counts = anthropicUsage(body.usage);
  if (counts === undefined) return; // keep what the head said (Bedrock's token-count headers)
  // The body's counts replace the head's.
  const usage = createUsageTracker();
  usage.reported(counts);
  exchange.usage = usage.current();
  const seen = observe(exchange);
  if (counts.input !== undefined) seen.promptReported = true;
  if (counts.output !== undefined) seen.finalOutputReported = true;
}
