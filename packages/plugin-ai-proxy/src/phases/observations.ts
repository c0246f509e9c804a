/**
 * What the response side saw beyond AiExchange's fields (kept off the shared contract): read by the
 * stats builder for the log record. Keyed by the exchange so nothing has to be threaded through.
 */
import type { AiExchange } from '../exchange.js';

export interface ResponseObservations {
  /** Status as Bedrock/Anthropic sent it, before any mapping. */
  upstreamStatus: number;
  /** Bedrock's error / exception type name, when it failed. */
  upstreamErrorType: string | undefined;
  upstreamRequestId: string | undefined;
  /** SSE events written to the client before an in-stream failure (or in all). */
  eventsSent: number;
  /** count_tokens answered from the local estimate because the upstream couldn't count. */
  tokensEstimated: boolean;
  /** count_tokens: the number answered to the client. */
  countedTokens: number | undefined;
  /** The upstream body reached its end (or a failure was already recorded): false after a cut connection. */
  bodyEnded: boolean;
  /** The upstream reported the input count (message_start, a JSON body's usage, Bedrock's token-count headers). */
  promptReported: boolean;
  /** The upstream reported the final output count (message_delta, invocation metrics, a JSON body, the headers). */
  finalOutputReported: boolean;
  /** Stream: content_block_delta events relayed to the client, and the bytes of their JSON. */
  deltas: number;
  deltaBytes: number;
  /** Oneshot: body bytes relayed to the client. */
  bodyBytes: number;
}

const byExchange = new WeakMap<AiExchange, ResponseObservations>();

export function observe(exchange: AiExchange, upstreamStatus = 0): ResponseObservations {
  let seen = byExchange.get(exchange);
  if (seen === undefined) {
    seen = {
      upstreamStatus,
      upstreamErrorType: undefined,
      upstreamRequestId: undefined,
      eventsSent: 0,
      tokensEstimated: false,
      countedTokens: undefined,
      bodyEnded: false,
      promptReported: false,
      finalOutputReported: false,
      deltas: 0,
      deltaBytes: 0,
      bodyBytes: 0,
    };
    byExchange.set(exchange, seen);
  }
  return seen;
}

export function observationsOf(exchange: AiExchange): ResponseObservations | undefined {
  return byExchange.get(exchange);
}
