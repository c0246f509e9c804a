/**
 * Bedrock HTTP errors → Anthropic error JSON with the status Claude Code's retry logic expects
 * (error-map.ts). The body is small, so it is read whole before the mapped answer is sent.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { mapBedrockError, parseBedrockError } from '../backends/bedrock/errors.js';
import { anthropicErrorJson, answerJson, capturePayload, createBodyCopy, headerValue, sanitizeRetryAfter } from './http.js';
import { observe } from './observations.js';

const ERROR_BODY_CAP = 64 * 1024;

export interface MappedBedrockError {
  status: number;
  body: string;
}

/**
 * Reads the error body, records it on the exchange and lets `answer` decide what the client gets
 * (count_tokens may answer its local estimate instead).
 */
export function bedrockHttpError(
  ctx: RequestContext,
  response: ResponseHead,
  exchange: AiExchange,
  answer: (mapped: MappedBedrockError) => MappedBedrockError = (mapped) => mapped,
): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(ERROR_BODY_CAP);
  const seen = observe(exchange, response.status);
  const reply = (controller: TransformStreamDefaultController<Uint8Array>) => {
    exchange.lastTokenAt = ctx.now();
    const info = parseBedrockError(headerValue(response.headers, 'x-amzn-errortype'), copy.text());
    const mapped = mapBedrockError(info.name, seen.upstreamStatus);
    seen.upstreamErrorType = info.name;
    exchange.error = { status: mapped.status, type: mapped.type, message: info.message };
    delete response.headers['x-amzn-errortype'];
    sanitizeRetryAfter(response.headers);
    const answered = answer({ status: mapped.status, body: anthropicErrorJson(mapped.type, info.message) });
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
