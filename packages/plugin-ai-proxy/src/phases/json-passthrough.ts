/**
 * A JSON answer relayed to the client as it comes, chunk by chunk; a capped copy is parsed at its end and
 * handed to the pair's reader (model, usage, stop reason; an error body's error). A larger body still goes
 * through, only unread.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { capturePayload, createBodyCopy, headerValue } from './http.js';
import { observe } from './observations.js';

/** Enough for any real answer. */
const COPY_CAP = 8 * 1024 * 1024;

export type JsonReader = (exchange: AiExchange, body: Record<string, unknown>, status: number) => void;

export function jsonPassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, read: JsonReader): Transformer<Uint8Array, Uint8Array> {
  const copy = createBodyCopy(COPY_CAP);
  const status = response.status;
  const seen = observe(exchange, status);
  // The bytes pass unchanged, so the upstream's length still describes them (gw drops it from any
  // transformed body): with it the answer leaves in one write, without a chunked terminator after it.
  const length = headerValue(response.headers, 'content-length');
  return {
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
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return;
      }
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) read(exchange, body as Record<string, unknown>, status);
    },
  };
}
