/**
 * What the report reads from one file-log record (Kong's `kong.log.serialize()` shape, plus ai-proxy's
 * `ai.proxy` and gw's `cut`): every definition of a column lives here, once. A value of the wrong type
 * counts as absent (0 for a count), so a record from another writer is read as far as it goes.
 */

/** Why a parsed line is not counted as a request. */
export type InvalidReason = 'not an object' | 'no started_at';

export type CutSide = 'client' | 'upstream' | 'gateway';

export interface UsageRecord {
  /** `started_at`, ms since the epoch. */
  time: number;
  /** The consumer's `username`, else `custom_id`, else `id`; NONE without a consumer. */
  consumer: string;
  /** Every name the consumer answers to for `--consumer`: username, custom_id, id. */
  consumerNames: string[];
  /** `ai.proxy.meta.request_model`: the model id sent upstream (what the provider bills); NONE without ai-proxy. */
  model: string;
  /** The route's `name`, else its `id`; NONE when no route matched. */
  route: string;
  status: number;
  /** `cut.by`, when the response did not end normally. */
  cut: CutSide | undefined;
  /** ai-proxy recorded an error (`ai.proxy.error`): also a 200 stream that ended with an `error` event. */
  aiError: boolean;
  /** The record has an `ai.proxy` value (or Kong's pre-3.10 `ai.ai-proxy`). */
  ai: boolean;
  /** `usage.prompt_tokens`: everything the model read, cache reads and writes included (Kong's meaning). */
  input: number;
  /** `usage.completion_tokens`. */
  output: number;
  /** `usage.cache_read_input_tokens`, else Kong's `usage.prompt_tokens_details.cached_tokens`. */
  cacheRead: number;
  /** `usage.cache_creation_input_tokens`. */
  cacheWrite: number;
  /** `usage.total_tokens`, else input + output. */
  total: number;
  /** `usage.cost` (USD, priced by ai-proxy's `model.options` costs when the request was made). */
  cost: number;
  /** Some count in `usage` is gw's estimate (`prompt_tokens_estimated` / `completion_tokens_estimated`): a cut answer. */
  estimated: boolean;
  /** `latencies.request`: first byte from the client → last byte to it, ms. */
  latency: number | undefined;
  /** `ai.proxy.meta.llm_latency`: request sent upstream → last byte of the answer, ms. */
  llmLatency: number | undefined;
  /** `ai.proxy.usage.time_to_first_token`, ms (oneshot: the whole answer). */
  ttft: number | undefined;
}

/** The group name for a record without the entity. Parentheses: no consumer, model or route is named so by Kong. */
export const NONE = '(none)';

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const duration = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

export function toUsageRecord(value: unknown): UsageRecord | InvalidReason {
  const record = object(value);
  if (record === undefined) return 'not an object';
  const time = record.started_at;
  if (typeof time !== 'number' || !Number.isFinite(time)) return 'no started_at';

  const consumer = object(record.consumer);
  const consumerNames = [consumer?.username, consumer?.custom_id, consumer?.id].map(text).filter((n): n is string => n !== undefined);
  const route = object(record.route);
  const response = object(record.response);
  const ai = object(object(record.ai)?.proxy) ?? object(object(record.ai)?.['ai-proxy']);
  const meta = object(ai?.meta);
  const usage = object(ai?.usage);
  const cut = object(record.cut)?.by;

  const input = count(usage?.prompt_tokens);
  const output = count(usage?.completion_tokens);
  return {
    time,
    consumer: consumerNames[0] ?? NONE,
    consumerNames,
    model: text(meta?.request_model) ?? NONE,
    route: text(route?.name) ?? text(route?.id) ?? NONE,
    status: count(response?.status),
    cut: cut === 'client' || cut === 'upstream' || cut === 'gateway' ? cut : undefined,
    aiError: object(ai?.error) !== undefined,
    ai: ai !== undefined,
    input,
    output,
    cacheRead: count(usage?.cache_read_input_tokens ?? object(usage?.prompt_tokens_details)?.cached_tokens),
    cacheWrite: count(usage?.cache_creation_input_tokens),
    total: typeof usage?.total_tokens === 'number' ? count(usage.total_tokens) : input + output,
    cost: count(usage?.cost),
    estimated: usage?.prompt_tokens_estimated === true || usage?.completion_tokens_estimated === true,
    latency: duration(object(record.latencies)?.request),
    llmLatency: duration(meta?.llm_latency),
    ttft: duration(usage?.time_to_first_token),
  };
}

/**
 * An error is a request that did not get a whole, successful answer: status ≥ 400 (gw's own refusals,
 * the upstream's errors, 499 for a client that left before the head), a response cut after its head by
 * anyone (`cut`), or an ai-proxy error behind a 200 (a stream that ended with an `error` event).
 */
export function isError(record: UsageRecord): boolean {
  return record.status >= 400 || record.cut !== undefined || record.aiError;
}
