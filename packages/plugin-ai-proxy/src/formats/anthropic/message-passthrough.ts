/**
 * Non-streaming answers (and Anthropic errors): bytes go to the client as they arrive; a capped copy is
 * parsed at the end for the model, usage, and the error an Anthropic error body describes.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { anthropicUsage } from './usage.js';
import { anthropicErrorOf } from './errors.js';
import { capturePayload, createBodyCopy, headerValue } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';

/** Enough for any real message; a larger body still streams through, only its usage goes unread. */
const COPY_CAP = 8 * 1024 * 1024;

export function messagePassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(COPY_CAP);
  const status = response.status;
  const seen = observe(exchange, status);
  // The bytes pass unchanged, so the upstream's length still describes them (gw drops it from any
  // transformed body): with it the answer leaves in one write, without a chunked terminator after it.
  const length = headerValue(response.headers, 'content-length');
  return ({
    start() {
      if (length !== undefined) response.headers['content-length'] = length;
    },
    transform(chunk, controller) {
      copy.add(chunk);
      seen.bodyBytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush() {
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      const text = copy.text();
      capturePayload(exchange, text);
      if (copy.truncated()) return;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (body === null || typeof body !== 'object') return;
      if (status >= 200 && status < 300) {
        if (typeof body.model === 'string') exchange.responseModel = body.model;
        if (typeof body.id === 'string') exchange.responseId = body.id;
        if (typeof body.stop_reason === 'string') exchange.finishReasons = [body.stop_reason];
        const counts = anthropicUsage(body.usage);
        if (counts === undefined) return; // keep what the head said (Bedrock's token-count headers)
        // The body's counts replace the head's.
        const usage = createUsageTracker();
        usage.reported(counts);
        exchange.usage = usage.current();
        if (counts.input !== undefined) seen.promptReported = true;
        if (counts.output !== undefined) seen.finalOutputReported = true;
        return;
      }
      exchange.error = anthropicErrorOf(body.error, status);
    },
  });
}
