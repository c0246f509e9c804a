/**
 * The response side of ai-proxy: the neutral part of the head (observations, the upstream's request id,
 * timing, retry-after), then the exchange's translator for the rest. Contract with the request side:
 * ../exchange.ts.
 */
import { GatewayError, type LogRecord } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { aiErrorOf } from '../errors.js';
import type { ResponseInput } from '../translators/translator.js';
import { headerValue, sanitizeRetryAfter } from './http.js';
import { observe, observationsOf } from './observations.js';

export { observationsOf } from './observations.js';
export type { ResponseObservations } from './observations.js';

const ok = (status: number) => status >= 200 && status < 300;

export function aiResponseHeaders(input: ResponseInput): void {
  const { ctx, response, exchange } = input;
  const seen = observe(exchange, response.status);
  seen.upstreamStatus = response.status;
  seen.upstreamRequestId = headerValue(response.headers, exchange.translator.backend.requestIdHeader);
  if (exchange.mode === 'oneshot' || exchange.kind === 'count_tokens') exchange.firstTokenAt ??= ctx.now();
  sanitizeRetryAfter(response.headers);
  exchange.translator.responseHeaders(input);
}

export function aiResponseBody(input: ResponseInput): Transformer<Uint8Array, Uint8Array> | undefined {
  return input.exchange.translator.responseBody(input);
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
  exchange.error = aiErrorOf(new GatewayError(exchange.mode === 'stream' ? 'GW_ERR_AI_STREAM_TRUNCATED' : 'GW_ERR_UPSTREAM_UNAVAILABLE'));
}
