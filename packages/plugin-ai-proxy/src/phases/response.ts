/**
 * The response side of ai-proxy: picks the transform for the provider, mode and outcome, and rewrites
 * the response head to match. Contract with the request side: ../exchange.ts.
 */
import { GatewayError, type LogRecord, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { bedrockStreamToSse } from '../translators/anthropic-bedrock/stream.js';
import { errorAnswer } from './error-answer.js';
import { takeBedrockError } from '../backends/bedrock/errors.js';
import { aiErrorOf } from '../errors.js';
import { bedrockCountTokens } from '../translators/anthropic-bedrock/count-tokens.js';
import { jsonPassthrough } from '../formats/anthropic/message-passthrough.js';
import { anthropicSsePassthrough } from '../translators/anthropic-anthropic/sse-passthrough.js';
import { dropBedrockHeaders, headerValue, sanitizeRetryAfter } from './http.js';
import { observe, observationsOf } from './observations.js';
import { createUsageTracker } from '../usage.js';
import { tokenCountHeaders } from '../backends/bedrock/metrics.js';

export { BEDROCK_ERROR_MAP, UNKNOWN_UPSTREAM_ERROR, mapBedrockError, parseBedrockError, safeUpstreamMessage } from '../backends/bedrock/errors.js';
export type { MappedError, BedrockErrorInfo } from '../backends/bedrock/errors.js';
export { createFrameDecoder, FrameError } from '../backends/bedrock/eventstream/frame-decoder.js';
export type { FrameDecoder } from '../backends/bedrock/eventstream/frame-decoder.js';
export { observationsOf } from './observations.js';
export type { ResponseObservations } from './observations.js';

interface ResponseInput {
  ctx: RequestContext;
  response: ResponseHead;
  exchange: AiExchange;
}

const ok = (status: number) => status >= 200 && status < 300;

export function aiResponseHeaders({ ctx, response, exchange }: ResponseInput): void {
  const seen = observe(exchange, response.status);
  seen.upstreamStatus = response.status;
  seen.upstreamRequestId = headerValue(response.headers, 'x-amzn-requestid') ?? headerValue(response.headers, 'request-id');
  if (exchange.mode === 'oneshot' || exchange.kind === 'count_tokens') exchange.firstTokenAt ??= ctx.now();
  sanitizeRetryAfter(response.headers);
  if (exchange.provider !== 'bedrock') return;

  if (exchange.kind === 'chat' && exchange.mode === 'oneshot' && ok(response.status)) countsFromHeaders(exchange, response);
  dropBedrockHeaders(response.headers);
  if (exchange.kind === 'chat' && exchange.mode === 'stream' && ok(response.status)) {
    response.headers['content-type'] = 'text/event-stream; charset=utf-8';
    response.headers['cache-control'] = 'no-cache';
  }
}

/** Bedrock's InvokeModel head carries the counts (`x-amzn-bedrock-*-token-count`): usage is known even if the body is then cut. */
function countsFromHeaders(exchange: AiExchange, response: ResponseHead): void {
  const counts = tokenCountHeaders(response.headers);
  if (counts === undefined) return;
  const usage = createUsageTracker();
  usage.fallback(counts);
  exchange.usage = usage.current();
  const seen = observe(exchange);
  seen.promptReported = counts.input !== undefined;
  seen.finalOutputReported = counts.output !== undefined;
}

export function aiResponseBody({ ctx, response, exchange }: ResponseInput): Transformer<Uint8Array, Uint8Array> | undefined {
  if (exchange.provider === 'anthropic') {
    // Errors and count_tokens pass through unchanged; the copy only feeds the log.
    if (exchange.kind === 'chat' && exchange.mode === 'stream' && ok(response.status)) {
      return anthropicSsePassthrough(ctx, response, exchange);
    }
    return jsonPassthrough(ctx, response, exchange);
  }
  if (exchange.kind === 'count_tokens') return bedrockCountTokens(ctx, response, exchange);
  if (!ok(response.status)) return errorAnswer(ctx, response, exchange, takeBedrockError);
  return exchange.mode === 'stream' ? bedrockStreamToSse(ctx, response, exchange) : jsonPassthrough(ctx, response, exchange);
}

/**
 * Log phase: a 2xx answer whose upstream body never reached its end (connection closed or reset, read
 * timeout after the head) was cut after the client had its 200. Record that as an upstream failure,
 * unless the response was cut by someone else first (the client left, gw shut down).
 */
export function noteUnfinishedResponse(exchange: AiExchange, cut: LogRecord['cut']): void {
  if (exchange.kind !== 'chat' || exchange.error !== undefined || (cut !== undefined && cut.by !== 'upstream')) return;
  const seen = observationsOf(exchange);
  if (seen === undefined || !ok(seen.upstreamStatus) || seen.bodyEnded) return;
  const error = new GatewayError(exchange.mode === 'stream' ? 'GW_ERR_AI_STREAM_TRUNCATED' : 'GW_ERR_UPSTREAM_UNAVAILABLE');
  exchange.error = aiErrorOf(error);
}
