/**
 * What a relayed Bedrock event stream says about usage, read off its events without changing them:
 * InvokeModelWithResponseStream `chunk`s (a Claude model's are Anthropic's stream events, read as the
 * Anthropic pair reads them; any model's last chunk has Bedrock's invocation metrics) and ConverseStream's
 * events (`contentBlockDelta`, `messageStop`'s stop reason, `metadata`'s usage). Only the few events that
 * carry counts are parsed.
 */
import type { RequestContext } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { createEventObserver, type EventObserverOptions } from '../../formats/anthropic/stream-events.js';
import { eventType } from '../../formats/anthropic/sse.js';
import { chunkEventJson } from '../../backends/bedrock/eventstream/chunk.js';
import { INVOCATION_METRICS, invocationMetrics, stopEventMetrics } from '../../backends/bedrock/metrics.js';
import { headerString, type Frame } from '../../backends/bedrock/eventstream/frame-decoder.js';
import { observe } from '../../phases/observations.js';
import { converseUsage } from '../../backends/bedrock/converse/usage.js';

/** A relay leaves events as they are: nothing is filled in, invocation metrics are a fallback for the counts. */
const OBSERVE: EventObserverOptions = { fillDeltaUsage: false, stopCounts: stopEventMetrics };

const METRICS = Buffer.from(INVOCATION_METRICS, 'latin1');

/**
 * A chunk whose event starts `{"type":"content_block_delt`: those 27 bytes are 36 whole base64 characters,
 * so a delta (nearly every frame of a stream) is known from its payload's first bytes, never decoded. The
 * relay only counts deltas; their text is the client's.
 */
const BYTES_FIELD = '{"bytes":"';
const DELTA_CHUNK = Buffer.from(BYTES_FIELD + Buffer.from('{"type":"content_block_delt', 'latin1').toString('base64'), 'latin1');
const QUOTE = 0x22;
const EQUALS = 0x3d;
const NO_TEXT = () => '';

function isDeltaChunk(payload: Buffer): boolean {
  if (payload.length <= DELTA_CHUNK.length) return false;
  for (let i = 0; i < DELTA_CHUNK.length; i++) if (payload[i] !== DELTA_CHUNK[i]) return false;
  return true;
}

export interface NativeEventObserver {
  /** Observe one `event` frame; true when it is the stream's last (message_stop, invocation metrics, Converse's metadata). */
  event(frame: Frame): boolean;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createNativeEventObserver(ctx: RequestContext, exchange: AiExchange): NativeEventObserver {
  const anthropic = createEventObserver(ctx, exchange, OBSERVE);
  const usage = createUsageTracker();
  const seen = observe(exchange);
  const delta = (size: number) => {
    exchange.firstTokenAt ??= ctx.now();
    seen.deltas++;
    seen.deltaBytes += size;
  };

  /** A chunk of a model other than Claude: its text is opaque, its last chunk has Bedrock's metrics. */
  const otherChunk = (json: Buffer): boolean => {
    delta(json.byteLength);
    if (json.indexOf(METRICS) < 0) return false;
    const counts = invocationMetrics(parse(json.toString('utf8'))?.[INVOCATION_METRICS]);
    if (counts === undefined) return false;
    usage.fallback(counts);
    exchange.usage = usage.current();
    seen.promptReported = counts.input !== undefined;
    seen.finalOutputReported = counts.output !== undefined;
    return true;
  };

  const chunk = (frame: Frame): boolean => {
    if (isDeltaChunk(frame.body)) {
      const end = frame.body.indexOf(QUOTE, DELTA_CHUNK.length);
      if (end > 0) {
        // The decoded size, for the estimate of a cut stream: three bytes per four base64 characters, less the padding.
        const padding = frame.body[end - 1] !== EQUALS ? 0 : frame.body[end - 2] === EQUALS ? 2 : 1;
        anthropic.observe('content_block_delta', NO_TEXT, ((end - BYTES_FIELD.length) * 3) / 4 - padding);
        return false;
      }
    }
    const json = chunkEventJson(frame.body);
    // The client decodes what it gets; an unreadable chunk is its to report, not gw's to count.
    if (json === undefined) return false;
    const type = eventType(json);
    if (type === undefined) return otherChunk(json);
    anthropic.observe(type, () => json.toString('utf8'), json.byteLength);
    return type === 'message_stop';
  };

  return {
    event(frame) {
      const name = headerString(frame, ':event-type');
      switch (name) {
        case 'chunk':
          return chunk(frame);
        case 'contentBlockDelta':
          delta(frame.body.byteLength);
          return false;
        case 'messageStop': {
          const reason = parse(frame.body.toString('utf8'))?.stopReason;
          if (typeof reason === 'string') exchange.finishReasons = [reason];
          return false;
        }
        case 'metadata': {
          const counts = converseUsage(parse(frame.body.toString('utf8'))?.usage);
          usage.reported(counts);
          exchange.usage = usage.current();
          if (counts?.input !== undefined) seen.promptReported = true;
          if (counts?.output !== undefined) seen.finalOutputReported = true;
          return true;
        }
        default:
          return false;
      }
    },
  };
}
