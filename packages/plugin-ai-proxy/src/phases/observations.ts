/**
 * What the response side saw beyond AiExchange's own fields: read by the stats builder for the log
 * record. Kept on the exchange (`observations`) so nothing has to be threaded through. Not in a WeakMap
 * keyed by the exchange: a long-lived WeakMap's table grows by an entry a request until a full GC clears
 * it, and held each request's record across young-generation GCs meanwhile (docs/performance.md, pass 9).
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

export function observe(exchange: AiExchange, upstreamStatus = 0): ResponseObservations {
  let seen = exchange.observations;
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
    exchange.observations = seen;
  }
  return seen;
}

export function observationsOf(exchange: AiExchange): ResponseObservations | undefined {
  return exchange.observations;
}
