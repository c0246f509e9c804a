/**
 * Bedrock InvokeModelWithResponseStream (AWS event-stream) → Anthropic SSE. Each `chunk` frame carries
 * one Anthropic event as base64 JSON; it is written out as `event: <type>` + `data: <json>` the moment
 * its frame is complete. Failures are never silent: an exception frame, a corrupt frame or a stream that
 * ends mid-frame becomes an SSE `error` event, or a plain HTTP error if nothing was sent yet (Claude
 * Code retries by status code).
 */
import { GatewayError } from '@gw/plugin-api';
import type { RequestContext, ResponseHead, AnthropicErrorType } from '@gw/plugin-api';
import type { Message } from '@smithy/eventstream-codec';
import type { AiExchange } from '../exchange.js';
import { createFrameDecoder, headerString, FrameError } from './frame-decoder.js';
import { mapBedrockError, safeUpstreamMessage } from './error-map.js';
import { createEventObserver } from './stream-events.js';
import { anthropicErrorJson, answerJson, capturePayload } from './http.js';
import { observe } from './observations.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Event names come from the JSON `type`; anything else could break the SSE framing. */
const EVENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TYPE_PREFIX = /^\s*\{\s*"type"\s*:\s*"([^"\\]+)"/;

interface Failure {
  status: number;
  type: AnthropicErrorType;
  message: string;
  upstreamType: string | undefined;
}

export function bedrockStreamToSse(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): TransformStream<Uint8Array, Uint8Array> {
  const frames = createFrameDecoder();
  const events = createEventObserver(ctx, exchange, { fillDeltaUsage: true });
  const seen = observe(exchange, response.status);
  let sawStop = false;
  let done = false;

  const send = (controller: TransformStreamDefaultController<Uint8Array>, text: string) => {
    capturePayload(exchange, text);
    controller.enqueue(encoder.encode(text));
  };

  const fail = (controller: TransformStreamDefaultController<Uint8Array>, failure: Failure) => {
    done = true;
    exchange.error = { status: failure.status, type: failure.type, message: failure.message };
    seen.upstreamErrorType = failure.upstreamType;
    exchange.lastTokenAt = ctx.now();
    const body = anthropicErrorJson(failure.type, failure.message);
    if (seen.eventsSent === 0) {
      // Nothing reached the client yet: the status line is still ours to choose.
      capturePayload(exchange, body);
      answerJson(response, controller, failure.status, body);
    } else {
      send(controller, `event: error\ndata: ${body}\n\n`);
    }
  };

  const streamFailure = (error: FrameError): Failure => {
    const gwError = error.kind === 'truncated'
      ? new GatewayError('GW_ERR_AI_STREAM_TRUNCATED')
      : new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: error.message } });
    return { status: gwError.status, type: gwError.anthropicType, message: gwError.message, upstreamType: undefined };
  };

  const handle = (controller: TransformStreamDefaultController<Uint8Array>, frame: Message) => {
    const messageType = headerString(frame, ':message-type');
    if (messageType === 'event') {
      if (headerString(frame, ':event-type') !== 'chunk') return; // not part of InvokeModel's stream
      const data = chunkEventJson(frame.body);
      const type = data === undefined ? undefined : TYPE_PREFIX.exec(data)?.[1] ?? typeOf(data);
      if (data === undefined || type === undefined || !EVENT_NAME.test(type)) {
        fail(controller, { status: 502, type: 'api_error', message: 'upstream sent an unreadable stream event', upstreamType: undefined });
        return;
      }
      if (type === 'message_stop') sawStop = true;
      const out = events.observe(type, data) ?? data;
      seen.eventsSent++;
      send(controller, `event: ${type}\ndata: ${out}\n\n`);
      return;
    }
    // `exception` (Bedrock) or `error` (protocol-level, with :error-code / :error-message headers).
    const upstreamType = headerString(frame, ':exception-type') ?? headerString(frame, ':error-code');
    const mapped = mapBedrockError(upstreamType);
    const message = exceptionMessage(frame) ?? upstreamType ?? 'upstream stream failed';
    fail(controller, { ...mapped, message, upstreamType });
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (done) return; // after a failure the rest of the upstream body is dropped
      try {
        frames.push(chunk, (message) => {
          handle(controller, message);
          return !done;
        });
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        fail(controller, streamFailure(error));
      }
    },
    flush(controller) {
      if (done) return;
      try {
        frames.end();
      } catch (error) {
        fail(controller, streamFailure(error instanceof FrameError ? error : new FrameError('truncated', 'stream ended')));
        return;
      }
      // Whole frames but no message_stop: the upstream hung up early; say so rather than end silently.
      if (!sawStop) {
        fail(controller, streamFailure(new FrameError('truncated', 'no message_stop')));
        return;
      }
      exchange.lastTokenAt = ctx.now();
    },
  });
}

/** The Anthropic event JSON inside a chunk frame: payload `{"bytes":"<base64>","p":"<padding>"}`. */
function chunkEventJson(payload: Uint8Array): string | undefined {
  const bytes = base64Field(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('latin1'));
  if (bytes === undefined) return undefined;
  const json = Buffer.from(bytes, 'base64').toString('utf8');
  // SSE data must be one line; compact JSON always is, pretty-printed JSON gets re-serialised.
  if (!json.includes('\n') && !json.includes('\r')) return json;
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/**
 * The `bytes` member of the chunk payload. Bedrock writes it first, and base64 has no quotes or escapes,
 * so a prefix check avoids parsing the padding; any other layout goes through JSON.parse.
 */
function base64Field(payload: string): string | undefined {
  const PREFIX = '{"bytes":"';
  if (payload.startsWith(PREFIX)) {
    const end = payload.indexOf('"', PREFIX.length);
    if (end > 0) return payload.slice(PREFIX.length, end);
  }
  try {
    const bytes = (JSON.parse(payload) as { bytes?: unknown }).bytes;
    return typeof bytes === 'string' ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function typeOf(json: string): string | undefined {
  try {
    const type = (JSON.parse(json) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

function exceptionMessage(frame: Message): string | undefined {
  const header = headerString(frame, ':error-message');
  if (header !== undefined) return safeUpstreamMessage(header);
  try {
    const body = JSON.parse(decoder.decode(frame.body)) as Record<string, unknown>;
    const message = body.message ?? body.Message;
    return typeof message === 'string' ? safeUpstreamMessage(message) : undefined;
  } catch {
    return undefined;
  }
}
