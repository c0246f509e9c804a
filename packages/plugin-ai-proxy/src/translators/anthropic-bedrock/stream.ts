/**
 * Bedrock InvokeModelWithResponseStream (AWS event-stream) → Anthropic SSE. Each `chunk` frame carries
 * one Anthropic event as base64 JSON; it is written out as `event: <type>` + `data: <json>` the moment
 * its frame is complete. Failures are never silent: an exception frame, a corrupt frame or a stream that
 * ends mid-frame becomes an SSE `error` event, or a plain HTTP error if nothing was sent yet (Claude
 * Code retries by status code).
 */
import { GatewayError } from '@gw/plugin-api';
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import { aiErrorOf } from '../../errors.js';
import { anthropicErrorBody, anthropicErrorEvent, anthropicErrorStatus } from '../../formats/anthropic/errors.js';
import type { AiExchange } from '../../exchange.js';
import { createFrameDecoder, headerString, FrameError, type Frame } from '../../backends/bedrock/eventstream/frame-decoder.js';
import { frameFailure, type FrameFailure } from '../../backends/bedrock/eventstream/exception.js';
import { createEventObserver, type EventObserverOptions } from '../../formats/anthropic/stream-events.js';
import { stopEventMetrics } from '../../backends/bedrock/metrics.js';
import { answerJson, capturePayload } from '../../phases/http.js';
import { createKeepAlive } from '../../phases/keep-alive.js';
import { observe } from '../../phases/observations.js';
import { eventType } from '../../formats/anthropic/sse.js';
import { createSseChunk } from '../../formats/anthropic/sse-chunk.js';
import { CHUNK_BASE64_OFFSET, chunkBase64End, chunkEventJson, hasLineBreak } from '../../backends/bedrock/eventstream/chunk.js';
import { base64Length, decodeBase64Into } from '../../backends/bedrock/eventstream/base64.js';

/** Anthropic's keep-alive event: it resets client idle timers, SSE comments don't for every client. */
const PING = Buffer.from('event: ping\ndata: {"type":"ping"}\n\n', 'utf8');

/** Bedrock's message_delta lacks the cache counts Claude Code reads there; its message_stop carries invocation metrics. */
const OBSERVE: EventObserverOptions = { fillDeltaUsage: true, stopCounts: stopEventMetrics };

type Failure = FrameFailure;

/** `event: content_block_delta\ndata: `: a chunk's JSON is decoded this far in, so a delta's needs no move. */
const DELTA_PREFIX = 'event: content_block_delta\ndata: '.length;
/** Room before the JSON for the longest prefix an event name allows (64 characters, sse.ts). */
const MAX_PREFIX = 'event: \ndata: '.length + 64;

export function bedrockStreamToSse(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const frames = createFrameDecoder();
  const events = createEventObserver(ctx, exchange, OBSERVE);
  const seen = observe(exchange, response.status);
  let sawStop = false;
  let done = false;

  // SSE bytes of the frames one network chunk completes go out together: one enqueue (one socket write)
  // per chunk instead of per frame, from one buffer they are written into in place. Nothing waits for later chunks.
  const out = createSseChunk();
  const captured = () => {
    if (exchange.logPayloads) capturePayload(exchange, out.lastEvent());
  };
  const send = (bytes: Buffer) => {
    out.writeRaw(bytes);
    captured();
  };
  const drain = (controller: TransformStreamDefaultController<Uint8Array>) => {
    const view = out.take();
    if (view !== undefined) controller.enqueue(view);
  };

  // Keep-alive: once the stream has started (an event was sent), each upstream silence of pingIntervalMs
  // gets a `ping`. `fail` is the only place `done` is set and it stops the pings, so none follows it.
  const keepAlive = createKeepAlive(exchange.pingIntervalMs, PING, () => {
    if (exchange.logPayloads) capturePayload(exchange, PING.toString('utf8'));
  });

  const fail = (controller: TransformStreamDefaultController<Uint8Array>, failure: Failure) => {
    done = true;
    keepAlive.stop();
    seen.bodyEnded = true;
    exchange.error = failure.error;
    seen.upstreamErrorType = failure.upstreamType;
    exchange.lastTokenAt = ctx.now();
    if (seen.eventsSent === 0) {
      // Nothing reached the client yet: the status line is still ours to choose.
      const body = anthropicErrorBody(failure.error);
      capturePayload(exchange, body);
      answerJson(response, controller, anthropicErrorStatus(failure.error), body);
    } else {
      send(anthropicErrorEvent(failure.error));
    }
  };

  const streamFailure = (error: FrameError): Failure => {
    const gwError = error.kind === 'truncated'
      ? new GatewayError('GW_ERR_AI_STREAM_TRUNCATED')
      : new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: error.message } });
    return { error: aiErrorOf(gwError), upstreamType: undefined };
  };

  /**
   * The chunk's event as SSE, written into `out`: its base64 decoded straight into place when Bedrock laid
   * it out as it does (`{"bytes":"<canonical base64>",...}`, one-line JSON), else decoded apart as before.
   * False when the stream failed on it.
   */
  // The event JSON `observe` may ask for as text: set before each call (no closure per frame).
  let dataBytes: Buffer = PING;
  let dataStart = 0;
  let dataEnd = 0;
  const dataText = () => dataBytes.toString('utf8', dataStart, dataEnd);
  const writeChunkEvent = (controller: TransformStreamDefaultController<Uint8Array>, frame: Frame): boolean => {
    const { bytes, bodyStart, bodyEnd } = frame;
    const b64Start = bodyStart + CHUNK_BASE64_OFFSET;
    const b64End = chunkBase64End(bytes, bodyStart, bodyEnd);
    const size = b64End > 0 ? base64Length(bytes, b64Start, b64End) : -1;
    if (size >= 0) {
      const buf = out.room(MAX_PREFIX + size + 2);
      const jsonStart = out.at() + DELTA_PREFIX;
      const jsonEnd = jsonStart + size;
      if (decodeBase64Into(bytes, b64Start, b64End, buf, jsonStart) && !hasLineBreak(buf, jsonStart, jsonEnd)) {
        const type = eventType(buf, jsonStart, jsonEnd);
        if (type === undefined) return unreadable(controller);
        const replaced = observeEvent(type, buf, jsonStart, jsonEnd);
        if (replaced === undefined) out.placeEvent(type, jsonStart, jsonEnd);
        else out.writeEvent(type, replaced);
        captured();
        return true;
      }
    }
    const json = chunkEventJson(frame.body);
    const type = json === undefined ? undefined : eventType(json);
    if (json === undefined || type === undefined) return unreadable(controller);
    const replaced = observeEvent(type, json, 0, json.byteLength);
    out.writeEvent(type, replaced ?? json);
    captured();
    return true;
  };
  const unreadable = (controller: TransformStreamDefaultController<Uint8Array>): false => {
    fail(controller, { error: { status: 502, kind: 'server', message: 'upstream sent an unreadable stream event' }, upstreamType: undefined });
    return false;
  };
  /** Watches the event for usage; an `error` event or message_stop ends the stream. */
  const observeEvent = (type: string, json: Buffer, start: number, end: number): string | undefined => {
    // An Anthropic `error` event ends the stream as surely as message_stop: don't add a second error.
    if (type === 'message_stop' || type === 'error') sawStop = true;
    dataBytes = json;
    dataStart = start;
    dataEnd = end;
    const replaced = events.observe(type, dataText, end - start);
    seen.eventsSent++;
    return replaced;
  };

  const handle = (controller: TransformStreamDefaultController<Uint8Array>, frame: Frame) => {
    const messageType = headerString(frame, ':message-type');
    if (messageType === 'event') {
      if (headerString(frame, ':event-type') !== 'chunk') return; // not part of InvokeModel's stream
      if (!writeChunkEvent(controller, frame)) return;
      // The first event leaves at once (with the head), before the rest of its network chunk is decoded:
      // time to first byte is what a user waits on.
      if (seen.eventsSent === 1) drain(controller);
      return;
    }
    // `exception` (Bedrock) or `error` (protocol-level, with :error-code / :error-message headers).
    fail(controller, frameFailure(frame));
  };

  return ({
    transform(chunk, controller) {
      if (done) return;
      out.expect(chunk.byteLength);
      try {
        frames.push(chunk, (message) => {
          handle(controller, message);
          return !done;
        });
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        fail(controller, streamFailure(error));
      }
      drain(controller);
      out.release();
      // After a failure nothing more of the upstream body can be relayed: end the client's response now
      // and drop the upstream connection, rather than wait for an upstream that may never end (read_timeout).
      if (done) controller.terminate();
      else if (seen.eventsSent > 0) keepAlive.touch(controller);
    },
    flush(controller) {
      keepAlive.stop();
      if (done) return;
      seen.bodyEnded = true;
      try {
        frames.end();
      } catch (error) {
        fail(controller, streamFailure(error instanceof FrameError ? error : new FrameError('truncated', 'stream ended')));
        drain(controller);
        return;
      }
      // Whole frames but no message_stop: the upstream hung up early; say so rather than end silently.
      if (!sawStop) {
        fail(controller, streamFailure(new FrameError('truncated', 'no message_stop')));
        drain(controller);
        return;
      }
      exchange.lastTokenAt = ctx.now();
    },
  });
}
