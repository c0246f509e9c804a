/**
 * The way out for a pair that writes Chat Completions chunks from another backend's stream: the chunks of
 * one upstream chunk leave together (one enqueue each), and a failure never looks like a whole answer. Before
 * any chunk it is an HTTP error in OpenAI's shape and status; after, a `data: {"error": …}` event (the OpenAI
 * SDKs throw on it), no finish, no `[DONE]`, and a broken connection rather than a clean end: some clients
 * skip the error event and take a clean end for a whole answer (Codex CLI 0.58 does).
 */
import { GatewayError, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { answerJson, capturePayload } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { openaiErrorEvent } from './errors.js';

type Controller = TransformStreamDefaultController<Uint8Array>;

export interface ChunkOutput {
  /** Queue chunks (an event each) for the next drain. */
  send(...parts: Buffer[]): void;
  drain(controller: Controller): void;
  /** Record the failure on the exchange and answer it as the client can still be told. */
  fail(controller: Controller, error: AiError, upstreamType: string | undefined): void;
  /**
   * End the client's response: after an in-stream failure broken, else normally (stops reading the
   * upstream). The break is a rejection one turn later, once the error event has been taken from the queue
   * (an error at once would drop it from a Web stream's queue); gw holds later input until then.
   */
  end(controller: Controller): Promise<void> | undefined;
}

export function chunkOutput(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): ChunkOutput {
  const seen = observe(exchange, response.status);
  let out: Buffer[] = [];
  /** Set when the failure came after events: the response must end broken, not clean. */
  let broken: GatewayError | undefined;
  const send = (...parts: Buffer[]) => {
    if (exchange.logPayloads) capturePayload(exchange, Buffer.concat(parts).toString('utf8'));
    out.push(...parts);
    seen.eventsSent++;
  };
  const drain = (controller: Controller) => {
    if (out.length === 0) return;
    controller.enqueue(out.length === 1 ? out[0]! : Buffer.concat(out));
    out = [];
  };
  return {
    send,
    drain,
    fail(controller, error, upstreamType) {
      seen.bodyEnded = true;
      exchange.error = error;
      seen.upstreamErrorType = upstreamType;
      exchange.lastTokenAt = ctx.now();
      if (seen.eventsSent === 0) {
        // Nothing reached the client yet: the status line is still ours to choose.
        const body = exchange.format.errorBody(error);
        capturePayload(exchange, body);
        answerJson(response, controller, exchange.format.errorStatus(error), body);
      } else {
        send(openaiErrorEvent(error));
        broken = new GatewayError('GW_ERR_AI_STREAM_TRUNCATED', { message: error.message, status: error.status });
      }
    },
    end(controller) {
      drain(controller);
      if (broken === undefined) {
        controller.terminate();
        return undefined;
      }
      const reason = broken;
      return new Promise((_, reject) => setImmediate(reject, reason));
    },
  };
}
