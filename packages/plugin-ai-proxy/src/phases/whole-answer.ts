/**
 * For a pair that reshapes a whole (non-streamed) answer: the upstream's body is read to its end (up to a
 * cap) and the client's answer sent at once. Nothing reaches the client before that, so a cut, oversized or
 * unreadable upstream answer is still an HTTP error in the client's format.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import type { AiError } from '../errors.js';
import { answerJson, capturePayload, createBodyCopy } from './http.js';
import { observe } from './observations.js';

/** Far above any real chat answer; a body past it is refused rather than held. */
const ANSWER_CAP = 16 * 1024 * 1024;

/** The client's body from the upstream's (recording usage, model, … on the exchange), or the error it is. */
export type AnswerBuilder = (text: string, ctx: RequestContext, exchange: AiExchange) => string | AiError;

/** `cap`: the largest upstream body read, in bytes (an embeddings answer of many vectors is larger than chat's). */
export function wholeAnswer(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, build: AnswerBuilder, cap = ANSWER_CAP): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(cap);
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
      fail(controller, { status: 502, kind: 'server', message: `upstream answer is larger than ${cap} bytes` });
      controller.terminate();
    },
    flush(controller) {
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      const body = build(copy.text(), ctx, exchange);
      if (typeof body !== 'string') return fail(controller, body);
      seen.bodyBytes = Buffer.byteLength(body);
      capturePayload(exchange, body);
      answerJson(response, controller, 200, body);
    },
  };
}
