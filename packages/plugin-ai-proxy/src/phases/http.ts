/** Small helpers for rewriting a response head and answering with a JSON body from a transform. */
import type { HeaderMap, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';

const encoder = new TextEncoder();

/** Logged response payloads are capped so one huge answer can't blow up a log line. */
export const PAYLOAD_CAP = 1024 * 1024;

export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Replace status, type and length, then send `body`: valid only before anything was enqueued. */
export function answerJson(
  response: ResponseHead,
  controller: TransformStreamDefaultController<Uint8Array>,
  status: number,
  body: string,
): void {
  const bytes = encoder.encode(body);
  response.status = status;
  response.headers['content-type'] = 'application/json';
  response.headers['content-length'] = String(bytes.byteLength);
  delete response.headers['transfer-encoding'];
  delete response.headers['content-encoding'];
  delete response.headers['cache-control'];
  controller.enqueue(bytes);
}

/** Keep a positive `retry-after`; `0` makes Claude Code 2.0.37 retry in a tight loop, so drop it. */
export function sanitizeRetryAfter(headers: HeaderMap): void {
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return;
  const seconds = Number(value);
  const keep = value.trim() !== '' && (Number.isFinite(seconds) ? seconds > 0 : !Number.isNaN(Date.parse(value)));
  if (!keep) delete headers['retry-after'];
}

export function capturePayload(exchange: AiExchange, text: string): void {
  if (!exchange.logPayloads) return;
  const have = exchange.responsePayload ?? '';
  if (have.length >= PAYLOAD_CAP) return;
  exchange.responsePayload = have + text.slice(0, PAYLOAD_CAP - have.length);
}

/** Collects a body up to `cap` bytes (the rest is counted, not kept) and decodes it as UTF-8. */
export function createBodyCopy(cap: number): { add(chunk: Uint8Array): void; text(): string; truncated(): boolean } {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let over = false;
  return {
    add(chunk) {
      if (kept >= cap) {
        over = over || chunk.byteLength > 0;
        return;
      }
      const part = kept + chunk.byteLength > cap ? chunk.subarray(0, cap - kept) : chunk;
      over = over || part !== chunk;
      chunks.push(part);
      kept += part.byteLength;
    },
    text: () => Buffer.concat(chunks, kept).toString('utf8'),
    truncated: () => over,
  };
}
