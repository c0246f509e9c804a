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
import { observe } from '../../phases/observations.js';
import { eventType, sseEvent } from '../../formats/anthropic/sse.js';
import { chunkEventJson } from '../../backends/bedrock/eventstream/chunk.js';

/** Anthropic's keep-alive event: it resets client idle timers, SSE comments don't for every client. */
const PING = Buffer.from('event: ping\ndata: {"type":"ping"}\n\n', 'utf8');

/** Bedrock's message_delta lacks the cache counts Claude Code reads there; its message_stop carries invocation metrics. */
const OBSERVE: EventObserverOptions = { fillDeltaUsage: true, stopCounts: stopEventMetrics };

type Failure = FrameFailure;

export function bedrockStreamToSse(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const frames = createFrameDecoder();
  const events = createEventObserver(ctx, exchange, OBSERVE);
  const seen = observe(exchange, response.status);
  let sawStop = false;
  let done = false;

  // SSE bytes of the frames one network chunk completes go out together: one enqueue (one socket write)
  // per chunk instead of per frame. Nothing waits for later chunks.
  let out: Buffer[] = [];
  const send = (...parts: Buffer[]) => {
    if (exchange.logPayloads) capturePayload(exchange, Buffer.concat(parts).toString('utf8'));
    out.push(...parts);
  };
  const drain = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (out.length === 0) return;
    controller.enqueue(out.length === 1 ? out[0]! : Buffer.concat(out));
    out = [];
  };

  // Keep-alive: once the stream has started, each upstream silence of pingIntervalMs gets a `ping`.
  // One timer per stream, pushed back (refresh) by every upstream chunk.
  let pinger: NodeJS.Timeout | undefined;
  let pingTo: TransformStreamDefaultController<Uint8Array> | undefined;
  const stopPings = () => {
    clearTimeout(pinger);
    pinger = undefined;
  };
  const ping = () => {
    if (done || pingTo === undefined) return stopPings();
    try {
      pingTo.enqueue(PING);
    } catch {
      return stopPings(); // the response is gone (client left, body failed)
    }
    if (exchange.logPayloads) capturePayload(exchange, PING.toString('utf8'));
    pinger?.refresh();
  };
  const keepAlive = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (done || seen.eventsSent === 0 || exchange.pingIntervalMs <= 0) return;
    if (pinger !== undefined) {
      pinger.refresh();
      return;
    }
    pingTo = controller;
    pinger = setTimeout(ping, exchange.pingIntervalMs);
    pinger.unref();
  };

  const fail = (controller: TransformStreamDefaultController<Uint8Array>, failure: Failure) => {
    done = true;
    stopPings();
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

  const handle = (controller: TransformStreamDefaultController<Uint8Array>, frame: Frame) => {
    const messageType = headerString(frame, ':message-type');
    if (messageType === 'event') {
      if (headerString(frame, ':event-type') !== 'chunk') return; // not part of InvokeModel's stream
      const json = chunkEventJson(frame.body);
      const type = json === undefined ? undefined : eventType(json);
      if (json === undefined || type === undefined) {
        fail(controller, { error: { status: 502, kind: 'server', message: 'upstream sent an unreadable stream event' }, upstreamType: undefined });
        return;
      }
      // An Anthropic `error` event ends the stream as surely as message_stop: don't add a second error.
      if (type === 'message_stop' || type === 'error') sawStop = true;
      const replaced = events.observe(type, () => json.toString('utf8'), json.byteLength);
      seen.eventsSent++;
      send(...sseEvent(type, replaced === undefined ? json : Buffer.from(replaced, 'utf8')));
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
      // After a failure nothing more of the upstream body can be relayed: end the client's response now
      // and drop the upstream connection, rather than wait for an upstream that may never end (read_timeout).
      if (done) controller.terminate();
      else keepAlive(controller);
    },
    flush(controller) {
      stopPings();
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
