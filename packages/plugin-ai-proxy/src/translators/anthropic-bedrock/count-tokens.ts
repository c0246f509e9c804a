/**
 * Bedrock CountTokens → Anthropic count_tokens: `{"inputTokens": n}` becomes `{"input_tokens": n}`.
 * When Bedrock can't count (model without CountTokens, any error) and the request side made a local
 * estimate, the client gets the estimate with a 200 rather than an error it can't act on.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { takeBedrockError } from '../../backends/bedrock/errors.js';
import { anthropicErrorBody } from '../../formats/anthropic/errors.js';
import { answerJson, capturePayload, createBodyCopy } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';

const COUNT_BODY_CAP = 64 * 1024;

function estimateAnswer(exchange: AiExchange): string {
  const seen = observe(exchange);
  seen.tokensEstimated = true;
  seen.countedTokens = exchange.localTokenEstimate;
  return JSON.stringify({ input_tokens: exchange.localTokenEstimate });
}

export function bedrockCountTokens(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  observe(exchange, response.status);
  if (response.status < 200 || response.status >= 300) {
    return errorAnswer(ctx, response, exchange, takeBedrockError, (rendered) =>
      exchange.localTokenEstimate === undefined ? rendered : { status: 200, body: estimateAnswer(exchange) });
  }
  const copy = createBodyCopy(COUNT_BODY_CAP);
  const reply = (controller: TransformStreamDefaultController<Uint8Array>) => {
    exchange.lastTokenAt = ctx.now();
    const counted = inputTokens(copy.text());
    let status = 200;
    let body: string;
    if (counted !== undefined) {
      observe(exchange).countedTokens = counted;
      body = JSON.stringify({ input_tokens: counted });
    } else if (exchange.localTokenEstimate !== undefined) {
      body = estimateAnswer(exchange);
    } else {
      status = 502;
      exchange.error = { status, kind: 'server', message: 'upstream count_tokens answer has no inputTokens' };
      body = anthropicErrorBody(exchange.error);
    }
    capturePayload(exchange, body);
    answerJson(response, controller, status, body);
  };
  return ({
    transform(chunk, controller) {
      copy.add(chunk);
      // `{"inputTokens": n}` is a few bytes: past the cap no count can be read, so answer now and stop
      // reading an upstream that may never end.
      if (copy.truncated()) {
        reply(controller);
        controller.terminate();
      }
    },
    flush: reply,
  });
}

function inputTokens(text: string): number | undefined {
  try {
    const n = (JSON.parse(text) as { inputTokens?: unknown }).inputTokens;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
