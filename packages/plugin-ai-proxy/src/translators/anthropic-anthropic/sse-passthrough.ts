/**
 * Anthropic SSE passes through byte for byte; a line scanner beside it picks out the few events that
 * carry usage and the model. `data:` of other events (the deltas) is never kept.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createEventObserver, type EventObserverOptions } from '../../formats/anthropic/stream-events.js';
import { capturePayload } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';

const OBSERVE: EventObserverOptions = { fillDeltaUsage: false };
const INTERESTING = new Set(['message_start', 'message_delta', 'message_stop', 'error']);

export function anthropicSsePassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const events = createEventObserver(ctx, exchange, OBSERVE);
  const seen = observe(exchange, response.status);
  const text = new TextDecoder();
  let partial = '';
  let event = 'message';
  let data: string[] = [];
  /** Length of a content_block_delta's data (only counted: the deltas are never kept). */
  let deltaSize = 0;
  /** An `error` event ends an Anthropic stream: nothing legitimate follows it. */
  let sawError = false;

  const line = (raw: string) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l === '') {
      if (data.length > 0 || event !== 'message') {
        seen.eventsSent++;
        if (event === 'error') sawError = true;
        const lines = data;
        events.observe(event, () => lines.join('\n'), deltaSize);
      }
      event = 'message';
      data = [];
      deltaSize = 0;
    } else if (l.startsWith('event:')) {
      event = l.slice(6).trim();
    } else if (l.startsWith('data:') && INTERESTING.has(event)) {
      data.push(l.slice(l.startsWith('data: ') ? 6 : 5));
    } else if (l.startsWith('data:') && event === 'content_block_delta') {
      data.push(''); // the content is not needed, only that the event had data, and its size
      deltaSize += l.length - (l.startsWith('data: ') ? 6 : 5);
    }
  };

  const scan = (chunkText: string) => {
    const lines = (partial + chunkText).split('\n');
    partial = lines.pop()!;
    for (const l of lines) line(l);
  };

  return ({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      const decoded = text.decode(chunk, { stream: true });
      capturePayload(exchange, decoded);
      scan(decoded);
      // Anthropic closes the stream after an error event; an upstream that doesn't would hold the client
      // until read_timeout. End the response and drop the connection instead.
      if (sawError) {
        observe(exchange).bodyEnded = true;
        controller.terminate();
      }
    },
    flush() {
      observe(exchange).bodyEnded = true;
      scan(text.decode() + '\n\n');
      exchange.lastTokenAt = ctx.now();
    },
  });
}
