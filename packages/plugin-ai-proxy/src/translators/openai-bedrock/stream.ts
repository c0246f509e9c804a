/**
 * ConverseStream (AWS event-stream) → Chat Completions chunks over SSE, each written the moment its frame is
 * complete. Text deltas, most of a stream, are spliced: the text's JSON literal goes from Bedrock's payload
 * into the chunk without being decoded (backends/bedrock/converse/events.ts). Tool calls are numbered
 * among the answer's tool calls (OpenAI clients index an array by it; Kong used Converse's block index,
 * leaving holes when text came first).
 *
 * The answer's end is Converse's `metadata` event (after `messageStop`): only then does the client get the
 * chunk with `finish_reason`, the usage chunk (`stream_options.include_usage`) and `[DONE]`. Failures are
 * never silent and never look complete: an exception frame, a corrupt frame or an upstream that stops before
 * `metadata` is an HTTP error when nothing was sent yet, else a `data: {"error": …}` event (the OpenAI SDKs
 * throw on it), no finish_reason, no `[DONE]`, and a broken connection rather than a clean end: some clients
 * skip the error event and take a clean end for a whole answer (Codex CLI 0.58 does).
 */
import { GatewayError, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { aiErrorOf } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { createFrameDecoder, FrameError, headerString, type Frame } from '../../backends/bedrock/eventstream/frame-decoder.js';
import { frameFailure, type FrameFailure } from '../../backends/bedrock/eventstream/exception.js';
import { converseEventType, parsePayload, textDeltaLiteral } from '../../backends/bedrock/converse/events.js';
import { converseUsage } from '../../backends/bedrock/converse/usage.js';
import { chunkWriter } from '../../formats/openai/chunks.js';
import { chunkOutput } from '../../formats/openai/chunk-output.js';
import { DONE, KEEP_ALIVE } from '../../formats/openai/sse.js';
import { capturePayload } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { createKeepAlive } from '../../phases/keep-alive.js';
import { DELTA_ENVELOPE } from '../../stats/usage-estimate.js';
import { completionId, finishReason } from './finish.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function converseStreamToChunks(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, includeUsage: boolean): Transformer<Uint8Array, Uint8Array> {
  const frames = createFrameDecoder();
  const seen = observe(exchange, response.status);
  const usage = createUsageTracker();
  exchange.responseId = completionId(ctx.id);
  const writer = chunkWriter(exchange.responseId, Math.floor(Date.now() / 1000), exchange.requestModel);
  /** Converse block index → the tool call's index among the answer's tool calls. */
  const toolCalls = new Map<number, number>();
  let stopReason: string | undefined;
  let complete = false;
  let done = false;

  // The chunks of the frames one network chunk completes leave together: one enqueue per upstream chunk.
  const output = chunkOutput(ctx, response, exchange);
  const { send, drain, end } = output;
  const keepAlive = createKeepAlive(exchange.pingIntervalMs, KEEP_ALIVE, (bytes) => {
    if (exchange.logPayloads) capturePayload(exchange, Buffer.from(bytes).toString('utf8'));
  });
  const fail = (controller: TransformStreamDefaultController<Uint8Array>, failure: FrameFailure) => {
    done = true;
    keepAlive.stop();
    output.fail(controller, failure.error, failure.upstreamType);
  };
  const cut = (error: FrameError): FrameFailure => {
    const gwError = error.kind === 'truncated'
      ? new GatewayError('GW_ERR_AI_STREAM_TRUNCATED')
      : new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: error.message } });
    return { error: aiErrorOf(gwError), upstreamType: undefined };
  };
  const unreadable = (what: string): FrameFailure => ({ error: { status: 502, kind: 'server', message: `upstream sent an unreadable ${what} event` }, upstreamType: undefined });
  const firstToken = () => {
    if (exchange.firstTokenAt === undefined) exchange.firstTokenAt = ctx.now();
  };

  const delta = (controller: TransformStreamDefaultController<Uint8Array>, frame: Frame) => {
    const literal = textDeltaLiteral(frame.body);
    if (literal !== undefined) {
      firstToken();
      seen.deltas++;
      seen.deltaBytes += literal.end - literal.start - 2 + DELTA_ENVELOPE;
      send(...writer.textLiteral(frame.body.subarray(literal.start, literal.end)));
      return;
    }
    const payload = parsePayload(frame);
    const change = isObject(payload?.delta) ? payload.delta : undefined;
    if (change === undefined) return fail(controller, unreadable('contentBlockDelta'));
    if (typeof change.text === 'string') {
      firstToken();
      seen.deltas++;
      seen.deltaBytes += Buffer.byteLength(change.text) + DELTA_ENVELOPE;
      send(writer.text(change.text));
    } else if (isObject(change.toolUse) && typeof change.toolUse.input === 'string') {
      const index = toolCalls.get(payload!.contentBlockIndex as number);
      if (index === undefined) return fail(controller, unreadable('toolUse delta before its contentBlockStart'));
      firstToken();
      seen.deltas++;
      seen.deltaBytes += Buffer.byteLength(change.toolUse.input) + DELTA_ENVELOPE;
      send(writer.toolCallArguments(index, change.toolUse.input));
    } else if (isObject(change.reasoningContent) && typeof change.reasoningContent.text === 'string') {
      firstToken();
      seen.deltas++;
      seen.deltaBytes += Buffer.byteLength(change.reasoningContent.text) + DELTA_ENVELOPE;
      send(writer.reasoning(change.reasoningContent.text));
    }
    // A reasoning signature, redacted reasoning, citations: nothing an OpenAI client reads.
  };

  const handle = (controller: TransformStreamDefaultController<Uint8Array>, frame: Frame) => {
    const type = converseEventType(frame);
    if (type === undefined) {
      const kind = headerString(frame, ':message-type');
      if (kind === 'exception' || kind === 'error') fail(controller, frameFailure(frame));
      return;
    }
    switch (type) {
      case 'messageStart':
        send(writer.role());
        // The first chunk leaves with the head at once: time to first byte is what a user waits on.
        drain(controller);
        return;
      case 'contentBlockDelta':
        return delta(controller, frame);
      case 'contentBlockStart': {
        const payload = parsePayload(frame);
        const start = isObject(payload?.start) && isObject(payload.start.toolUse) ? payload.start.toolUse : undefined;
        if (start === undefined) return;
        const index = toolCalls.size;
        toolCalls.set(payload!.contentBlockIndex as number, index);
        firstToken();
        send(writer.toolCallStart(index, String(start.toolUseId), String(start.name)));
        return;
      }
      case 'messageStop': {
        const reason = parsePayload(frame)?.stopReason;
        if (typeof reason !== 'string') return fail(controller, unreadable('messageStop'));
        stopReason = reason;
        exchange.finishReasons = [reason];
        return;
      }
      case 'metadata': {
        const counts = converseUsage(parsePayload(frame)?.usage);
        usage.reported(counts);
        exchange.usage = usage.current();
        if (counts?.input !== undefined) seen.promptReported = true;
        if (counts?.output !== undefined) seen.finalOutputReported = true;
        if (stopReason === undefined) return fail(controller, unreadable('metadata before messageStop'));
        send(writer.finish(finishReason(stopReason)));
        if (includeUsage) send(writer.usage(exchange.usage));
        send(DONE);
        complete = true;
        return;
      }
      default:
        return; // contentBlockStop, and events Converse may add
    }
  };

  return {
    transform(chunk, controller) {
      // After the answer's end (metadata) nothing else is relayed; the upstream's end is awaited as usual.
      if (done || complete) return;
      try {
        frames.push(chunk, (frame) => {
          handle(controller, frame);
          return !done && !complete;
        });
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        fail(controller, cut(error));
      }
      // After a failure nothing more of the upstream body can be relayed: end the client's response now and
      // drop the upstream connection, rather than wait for an upstream that may never end (read_timeout).
      if (done) return end(controller);
      drain(controller);
      if (complete) keepAlive.stop();
      else if (seen.eventsSent > 0) keepAlive.touch(controller);
    },
    flush(controller) {
      keepAlive.stop();
      if (done) return;
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      if (complete) return;
      try {
        frames.end();
      } catch (error) {
        fail(controller, cut(error instanceof FrameError ? error : new FrameError('truncated', 'stream ended')));
        return end(controller);
      }
      fail(controller, cut(new FrameError('truncated', 'no metadata event')));
      return end(controller);
    },
  };
}
