/**
 * Watches Anthropic stream events (from Bedrock chunks or an Anthropic SSE passthrough) for usage,
 * the response model and the first-token time. Only the few events that carry those are parsed;
 * `content_block_delta`, the bulk of a stream, is recognised by its type alone. Usage goes into the
 * neutral record (usage.ts) through formats/anthropic/usage.ts.
 */
import type { RequestContext } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker, type UsageCounts } from '../../usage.js';
import { anthropicUsage } from './usage.js';
import { anthropicErrorOf } from './errors.js';
import { observe } from '../../phases/observations.js';

export interface EventObserver {
  /**
   * Observe one event; `data()` gives its JSON text and is only called for the few event types that are
   * read (decoding every delta would cost more than the rest of the stream); `size` is the length of that
   * JSON (deltas are counted with it, for the usage estimate of a cut stream). Returns replacement JSON
   * when `fillDeltaUsage` is on and the event was rewritten, else undefined (send the event unchanged).
   */
  observe(type: string, data: () => string, size: number): string | undefined;
}

export interface EventObserverOptions {
  /**
   * Copy message_start's input and cache counts into message_delta.usage when it lacks them: Claude Code
   * reads cache usage from message_delta and Bedrock only puts output there.
   */
  fillDeltaUsage: boolean;
  /**
   * Counts a backend adds to `message_stop` (Bedrock's invocation metrics), read from its JSON: used
   * where the events reported none.
   */
  stopCounts?: (json: string) => UsageCounts | undefined;
}

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

export function createEventObserver(ctx: RequestContext, exchange: AiExchange, options: EventObserverOptions): EventObserver {
  const usage = createUsageTracker();
  const seen = observe(exchange);
  let startUsage: Record<string, unknown> | undefined;
  return {
    observe(type, data, size) {
      switch (type) {
        // The first token is the first block's start: a block can arrive whole there (a tool call
        // with its input, an empty text) and never have a delta.
        case 'content_block_start':
          if (exchange.firstTokenAt === undefined) exchange.firstTokenAt = ctx.now();
          return undefined;
        case 'content_block_delta':
          if (exchange.firstTokenAt === undefined) exchange.firstTokenAt = ctx.now();
          seen.deltas++;
          seen.deltaBytes += size;
          return undefined;
        case 'message_start': {
          const message = asObject(parse(data())?.message);
          if (typeof message?.model === 'string') exchange.responseModel = message.model;
          if (typeof message?.id === 'string') exchange.responseId = message.id;
          startUsage = asObject(message?.usage);
          const counts = anthropicUsage(startUsage);
          usage.reported(counts);
          exchange.usage = usage.current();
          if (counts?.input !== undefined) seen.promptReported = true;
          return undefined;
        }
        case 'message_delta': {
          const event = parse(data());
          const reason = asObject(event?.delta)?.stop_reason;
          if (typeof reason === 'string') exchange.finishReasons = [reason];
          const deltaUsage = asObject(event?.usage);
          const counts = anthropicUsage(deltaUsage);
          usage.reported(counts);
          exchange.usage = usage.current();
          // message_delta's output count is cumulative and final (message_start's is provisional).
          if (counts?.output !== undefined) seen.finalOutputReported = true;
          if (!options.fillDeltaUsage || event === undefined || deltaUsage === undefined || startUsage === undefined) return undefined;
          if ('cache_read_input_tokens' in deltaUsage) return undefined;
          const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens } = startUsage;
          event.usage = { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, ...deltaUsage };
          return JSON.stringify(event);
        }
        case 'message_stop': {
          const counts = options.stopCounts?.(data());
          if (counts !== undefined) {
            usage.fallback(counts);
            exchange.usage = usage.current();
            if (counts.input !== undefined) seen.promptReported = true;
            if (counts.output !== undefined) seen.finalOutputReported = true;
          }
          return undefined;
        }
        case 'error': {
          exchange.error = anthropicErrorOf(parse(data())?.error);
          return undefined;
        }
        default:
          return undefined;
      }
    },
  };
}
