/**
 * Bedrock's event stream relayed to a Bedrock-native client as Bedrock sent it: the bytes are passed on
 * unchanged, whole frames at a time, and only observed on the way (stream-events.ts) for usage, the first
 * token and the stop reason. The response stays `application/vnd.amazon.eventstream` (Claude Code 2.1
 * refuses a Bedrock stream labelled otherwise).
 *
 * Passing whole frames (the bytes of a frame that is not complete yet wait for the rest) keeps the stream
 * decodable whatever happens upstream: Bedrock's own exception frames go through as they are, and when
 * the upstream stream breaks in a way Bedrock never does (cut mid-frame, a bad checksum, no final event)
 * gw ends it with an `internalServerException` frame of its own, which the client's SDK raises as a typed
 * exception (Claude Code then falls back to a non-streaming call), instead of half a frame.
 */
import { GatewayError, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { aiErrorOf, type AiError } from '../../errors.js';
import { createFrameDecoder, headerString, FrameError, type Frame } from '../../backends/bedrock/eventstream/frame-decoder.js';
import { mapBedrockError, safeUpstreamMessage } from '../../backends/bedrock/errors.js';
import { BEDROCK_EXCEPTION_STATUS, bedrockErrorBody, exceptionName } from '../../formats/bedrock/errors.js';
import { chunkEventJson } from '../../backends/bedrock/eventstream/chunk.js';
import { exceptionFrame } from '../../formats/bedrock/exception-frame.js';
import { capturePayload } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { asBuffer } from '../../text/byte-text.js';
import { createNativeEventObserver } from './stream-events.js';

/** What gw says in the exception frame it adds: a server fault the client may retry, as Bedrock's own would be. */
const RELAY_FAULT = { status: 500, type: 'InternalServerException' } as const;

export function relayEventStream(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  const frames = createFrameDecoder();
  const events = createNativeEventObserver(ctx, exchange);
  const seen = observe(exchange, response.status);
  let sawLast = false;
  let done = false;
  // The start of a frame not complete yet: pieces of earlier chunks, passed on once it is.
  let held: Buffer[] = [];
  let heldBytes = 0;

  /** Pass on the first `whole` bytes of held + chunk (complete frames only); hold the rest. */
  const pass = (controller: TransformStreamDefaultController<Uint8Array>, chunk: Buffer, whole: number) => {
    if (whole === 0) {
      held.push(chunk);
      heldBytes += chunk.byteLength;
      return;
    }
    for (const piece of held) send(controller, piece);
    const fromChunk = whole - heldBytes;
    held = [];
    heldBytes = 0;
    send(controller, fromChunk === chunk.byteLength ? chunk : chunk.subarray(0, fromChunk));
    if (fromChunk < chunk.byteLength) {
      held.push(chunk.subarray(fromChunk));
      heldBytes = chunk.byteLength - fromChunk;
    }
  };

  const send = (controller: TransformStreamDefaultController<Uint8Array>, bytes: Buffer) => controller.enqueue(bytes);

  /** Bedrock's own exception: it reaches the client as sent (it is in what `pass` sends); gw only records it. */
  const exception = (frame: Frame) => {
    done = true;
    seen.bodyEnded = true;
    exchange.lastTokenAt = ctx.now();
    const member = headerString(frame, ':exception-type') ?? headerString(frame, ':error-code');
    const type = member === undefined ? 'Unknown' : exceptionName(member);
    const mapped = mapBedrockError(member);
    exchange.error = {
      status: mapped.status,
      kind: mapped.kind,
      message: exceptionMessage(frame) ?? member ?? 'upstream stream failed',
      native: { status: BEDROCK_EXCEPTION_STATUS[type] ?? RELAY_FAULT.status, type },
    };
    seen.upstreamErrorType = type;
  };

  /** The upstream broke the stream: end it with gw's own exception frame, after the whole frames. */
  const broke = (controller: TransformStreamDefaultController<Uint8Array>, error: FrameError) => {
    done = true;
    seen.bodyEnded = true;
    exchange.lastTokenAt = ctx.now();
    const gwError = error.kind === 'truncated'
      ? new GatewayError('GW_ERR_AI_STREAM_TRUNCATED')
      : new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: error.message } });
    const failure: AiError = { ...aiErrorOf(gwError), native: RELAY_FAULT };
    exchange.error = failure;
    held = [];
    heldBytes = 0;
    const frame = exceptionFrame(failure);
    if (exchange.logPayloads) capturePayload(exchange, `${bedrockErrorBody(failure)}\n`);
    send(controller, frame);
  };

  return {
    transform(chunk, controller) {
      if (done) return;
      const bytes = asBuffer(chunk);
      let whole = 0;
      let corrupt: FrameError | undefined;
      try {
        frames.push(bytes, (frame) => {
          whole += frame.length;
          if (exchange.logPayloads) capturePayload(exchange, payloadText(frame));
          const messageType = headerString(frame, ':message-type');
          if (messageType === 'event') {
            seen.eventsSent++;
            if (events.event(frame)) sawLast = true;
          } else {
            exception(frame); // `exception`, or the protocol's `error` with :error-code
          }
          return !done;
        });
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        corrupt = error;
      }
      pass(controller, bytes, whole);
      if (corrupt !== undefined) broke(controller, corrupt);
      // After an exception nothing more comes from Bedrock: end the client's response now and drop the
      // upstream connection rather than wait for it (read_timeout).
      if (done) controller.terminate();
    },
    flush(controller) {
      if (done) return;
      seen.bodyEnded = true;
      try {
        frames.end();
      } catch (error) {
        broke(controller, error instanceof FrameError ? error : new FrameError('truncated', 'stream ended'));
        return;
      }
      // Whole frames but no last event: the upstream hung up early; say so rather than end as if complete.
      if (!sawLast) {
        broke(controller, new FrameError('truncated', 'the stream ended before its last event'));
        return;
      }
      exchange.lastTokenAt = ctx.now();
    },
  };
}

/** The logged payload of a binary stream: one line per message, its JSON (a chunk's decoded event). */
function payloadText(frame: Frame): string {
  const json = headerString(frame, ':event-type') === 'chunk' ? chunkEventJson(frame.body) : undefined;
  return `${(json ?? frame.body).toString('utf8')}\n`;
}

function exceptionMessage(frame: Frame): string | undefined {
  const header = headerString(frame, ':error-message');
  if (header !== undefined) return safeUpstreamMessage(header);
  try {
    const body = JSON.parse(frame.body.toString('utf8')) as Record<string, unknown>;
    const message = body.message ?? body.Message;
    return typeof message === 'string' ? safeUpstreamMessage(message) : undefined;
  } catch {
    return undefined;
  }
}
