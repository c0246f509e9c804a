/**
 * An upstream's HTTP error → an error answer in the client's format, with the status its retry logic
 * expects: the backend reads the error (its `read`), the client format renders it (exchange.format). The
 * body is small, so it is read whole before the answer is sent.
 */
import type { HeaderMap, RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import type { AiError } from '../errors.js';
import { answerJson, capturePayload, createBodyCopy, headerValue, sanitizeRetryAfter } from './http.js';
import { observe } from './observations.js';

const ERROR_BODY_CAP = 64 * 1024;

/** A backend's reader of its error answers: the neutral error and the backend's own name for it. */
export type UpstreamErrorReader = (status: number, headers: HeaderMap, body: string) => { error: AiError; upstreamType: string | undefined };

export interface ErrorAnswer {
  status: number;
  body: string;
}

/**
 * Reads the error body, records it on the exchange and lets `answer` decide what the client gets
 * (count_tokens may answer its local estimate instead).
 */
export function errorAnswer(
  ctx: RequestContext,
  response: ResponseHead,
  exchange: AiExchange,
  read: UpstreamErrorReader,
  answer: (rendered: ErrorAnswer) => ErrorAnswer = (rendered) => rendered,
): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(ERROR_BODY_CAP);
  const seen = observe(exchange, response.status);
  const reply = (controller: TransformStreamDefaultController<Uint8Array>) => {
    exchange.lastTokenAt = ctx.now();
    const { error, upstreamType } = read(seen.upstreamStatus, response.headers, copy.text());
    sanitizeRetryAfter(response.headers);
    const wait = Number(headerValue(response.headers, 'retry-after'));
    if (Number.isFinite(wait) && wait > 0) error.retryAfter = wait;
    seen.upstreamErrorType = upstreamType;
    exchange.error = error;
    const answered = answer({ status: exchange.format.errorStatus(error), body: exchange.format.errorBody(error) });
    capturePayload(exchange, answered.body);
    answerJson(response, controller, answered.status, answered.body);
  };
  return ({
    transform(chunk, controller) {
      copy.add(chunk);
      // No real error body is this long: answer from what was read and stop reading the upstream.
      if (copy.truncated()) {
        reply(controller);
        controller.terminate();
      }
    },
    flush: reply,
  });
}
