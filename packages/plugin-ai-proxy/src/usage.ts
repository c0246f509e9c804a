/**
 * Usage from Anthropic stream events and Bedrock's invocation metrics (`amazon-bedrock-invocationMetrics`
 * in message_stop). Event counts win; the metrics only fill fields the events never reported.
 * Anthropic's `input_tokens` excludes cache tokens; the stats builder adds them back into `prompt_tokens`.
 */
import type { Usage } from './exchange.js';

type UsageField = keyof Usage;
const FIELDS: readonly UsageField[] = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'];

/** Bedrock's `amazon-bedrock-invocationMetrics` names for each usage field. */
const METRIC_NAMES: Readonly<Record<UsageField, string>> = {
  input_tokens: 'inputTokenCount',
  output_tokens: 'outputTokenCount',
  cache_read_input_tokens: 'cacheReadInputTokenCount',
  cache_creation_input_tokens: 'cacheWriteInputTokenCount',
};

export interface UsageTracker {
  /** Record counts from an Anthropic `usage` object (message_start.message.usage, message_delta.usage, a message). */
  fromEvents(usage: unknown): void;
  /** Record `amazon-bedrock-invocationMetrics` (or Bedrock's token-count headers), used as a fallback. */
  fromMetrics(metrics: unknown): void;
  /** The merged counts so far. */
  current(): Usage;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

export function createUsageTracker(): UsageTracker {
  const events: Partial<Usage> = {};
  const metrics: Partial<Usage> = {};
  return {
    fromEvents(usage) {
      if (!isObject(usage)) return;
      for (const field of FIELDS) {
        const n = count(usage[field]);
        if (n !== undefined) events[field] = n;
      }
    },
    fromMetrics(raw) {
      if (!isObject(raw)) return;
      for (const field of FIELDS) {
        const n = count(raw[METRIC_NAMES[field]]);
        if (n !== undefined) metrics[field] = n;
      }
    },
    current() {
      return {
        input_tokens: events.input_tokens ?? metrics.input_tokens ?? 0,
        output_tokens: events.output_tokens ?? metrics.output_tokens ?? 0,
        cache_read_input_tokens: events.cache_read_input_tokens ?? metrics.cache_read_input_tokens ?? 0,
        cache_creation_input_tokens: events.cache_creation_input_tokens ?? metrics.cache_creation_input_tokens ?? 0,
      };
    },
  };
}
