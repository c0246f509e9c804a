/**
 * Bedrock's own token counts → the neutral counts (usage.ts): `amazon-bedrock-invocationMetrics` (in an
 * InvokeModel stream's last event) and the `x-amzn-bedrock-*-token-count` headers of an InvokeModel answer.
 * They are a fallback: what the model's own answer reports wins (usage.ts, `fallback`).
 */
import type { HeaderMap } from '@gw/plugin-api';
import { count, type UsageCounts } from '../../usage.js';

/** The member InvokeModel adds to a stream's last event. */
export const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

export function invocationMetrics(metrics: unknown): UsageCounts | undefined {
  if (metrics === null || typeof metrics !== 'object') return undefined;
  const raw = metrics as Record<string, unknown>;
  return countsOf(count(raw.inputTokenCount), count(raw.outputTokenCount), count(raw.cacheReadInputTokenCount), count(raw.cacheWriteInputTokenCount));
}

/** The InvokeModel head's counts: known even if the body is then cut. Undefined when it carries neither input nor output. */
export function tokenCountHeaders(headers: HeaderMap): UsageCounts | undefined {
  const read = (name: string) => {
    const raw = headers[`x-amzn-bedrock-${name}-token-count`];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
  };
  const input = read('input');
  const output = read('output');
  if (input === undefined && output === undefined) return undefined;
  return countsOf(input, output, read('cache-read-input'), read('cache-write-input'));
}

function countsOf(input: number | undefined, output: number | undefined, cacheRead: number | undefined, cacheWrite: number | undefined): UsageCounts {
  const counts: UsageCounts = {};
  if (input !== undefined) counts.input = input;
  if (output !== undefined) counts.output = output;
  if (cacheRead !== undefined) counts.cacheRead = cacheRead;
  if (cacheWrite !== undefined) counts.cacheWrite = cacheWrite;
  return counts;
}

/** An InvokeModel stream's `message_stop` JSON → the counts of its invocation metrics, if it carries them. */
export function stopEventMetrics(json: string): UsageCounts | undefined {
  if (!json.includes(INVOCATION_METRICS)) return undefined;
  try {
    const event: unknown = JSON.parse(json);
    return event !== null && typeof event === 'object' ? invocationMetrics((event as Record<string, unknown>)[INVOCATION_METRICS]) : undefined;
  } catch {
    return undefined;
  }
}
