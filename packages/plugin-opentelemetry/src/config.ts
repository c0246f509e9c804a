/**
 * The opentelemetry plugin's config: Kong's schema (schema/config.schema.json), its deprecated fields
 * mapped as Kong's Queue.get_plugin_params and propagation.get_plugin_params do, and what gw can't act on.
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue, JsonSchema } from '@gw/plugin-api';

export type Format = 'w3c' | 'b3' | 'b3-single' | 'jaeger' | 'ot' | 'datadog' | 'aws' | 'gcp' | 'instana';

export interface OpenTelemetryConfig {
  traces_endpoint: string | null;
  endpoint?: string | null;
  logs_endpoint: string | null;
  headers: Record<string, string> | null;
  resource_attributes: Record<string, string> | null;
  queue: {
    max_batch_size: number;
    max_coalescing_delay: number;
    max_entries: number;
    max_bytes: number | null;
    max_retry_time: number;
    initial_retry_delay: number;
    max_retry_delay: number;
    concurrency_limit: -1 | 1;
  };
  batch_span_count?: number | null;
  batch_flush_delay?: number | null;
  connect_timeout: number;
  send_timeout: number;
  read_timeout: number;
  http_response_header_for_traceid: string | null;
  header_type: string | null;
  sampling_rate: number | null;
  propagation: { extract?: Format[] | null; clear?: string[] | null; inject?: Array<Format | 'preserve'> | null; default_format: Format };
  capture_message_content: boolean;
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8')) as JsonSchema;

/** Kong's extraction order for header_type `preserve` (and the other legacy values). */
const LEGACY_EXTRACT: Format[] = ['b3', 'w3c', 'jaeger', 'ot', 'datadog', 'aws', 'gcp', 'instana'];

export interface Propagation {
  extract: readonly Format[];
  clear: readonly string[];
  inject: ReadonlyArray<Format | 'preserve'>;
  defaultFormat: Format;
}

/** Kong's propagation.get_plugin_params: the new fields as set, else what the deprecated header_type meant. */
export function propagationOf(config: OpenTelemetryConfig): Propagation {
  const p = config.propagation;
  const set = (v: unknown) => v !== undefined && v !== null;
  if (set(p.extract) || set(p.clear) || set(p.inject)) {
    return { extract: p.extract ?? [], clear: p.clear ?? [], inject: p.inject ?? [], defaultFormat: p.default_format };
  }
  const type = config.header_type;
  if (type === null || type === undefined) return { extract: [], clear: [], inject: [], defaultFormat: p.default_format };
  if (type === 'preserve') return { extract: LEGACY_EXTRACT, clear: [], inject: ['preserve'], defaultFormat: p.default_format };
  if (type === 'ignore') return { extract: [], clear: [], inject: [p.default_format], defaultFormat: p.default_format };
  return { extract: LEGACY_EXTRACT, clear: [], inject: ['preserve', type as Format], defaultFormat: p.default_format };
}

export interface QueueSettings {
  maxBatchSize: number;
  maxCoalescingDelayMs: number;
  maxEntries: number;
  maxRetryTimeMs: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  concurrency: -1 | 1;
}

/** Kong's Queue.get_plugin_params: a deprecated batch field other than its old default wins. */
export function queueOf(config: OpenTelemetryConfig): QueueSettings {
  const q = config.queue;
  const batch = config.batch_span_count ?? null;
  const delay = config.batch_flush_delay ?? null;
  return {
    maxBatchSize: batch !== null && batch !== 200 ? batch : q.max_batch_size,
    maxCoalescingDelayMs: (delay !== null && delay !== 3 ? delay : q.max_coalescing_delay) * 1000,
    maxEntries: q.max_entries,
    maxRetryTimeMs: q.max_retry_time * 1000,
    initialRetryDelayMs: q.initial_retry_delay * 1000,
    maxRetryDelayMs: q.max_retry_delay * 1000,
    concurrency: q.concurrency_limit,
  };
}

/** The endpoint spans go to: traces_endpoint, or the deprecated `endpoint`. */
export const tracesEndpoint = (config: OpenTelemetryConfig): string | null => config.traces_endpoint ?? config.endpoint ?? null;

const warn = (path: string, message: string): ConfigIssue => ({ path, message, severity: 'warning' });

export function validateConfig(config: OpenTelemetryConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const endpoint = tracesEndpoint(config);
  if (endpoint === null && config.logs_endpoint === null) {
    issues.push({ path: 'traces_endpoint', message: 'at least one of these fields must be non-empty: traces_endpoint, logs_endpoint' });
  }
  for (const [path, url] of [['traces_endpoint', config.traces_endpoint], ['endpoint', config.endpoint], ['logs_endpoint', config.logs_endpoint]] as const) {
    if (typeof url !== 'string') continue;
    try {
      new URL(url);
    } catch {
      issues.push({ path, message: 'missing host in url' });
    }
  }
  if (config.endpoint !== undefined && config.endpoint !== null) {
    issues.push(warn('endpoint', 'OpenTelemetry: config.endpoint is deprecated, please use config.traces_endpoint instead'));
  }
  if (config.logs_endpoint !== null) issues.push(warn('logs_endpoint', 'is not acted on: gw exports traces over OTLP, not logs (file-log writes every request)'));
  if (config.batch_span_count !== undefined && config.batch_span_count !== null && config.batch_span_count !== 200) {
    issues.push(warn('batch_span_count', 'opentelemetry: config.batch_span_count is deprecated, please use config.queue.max_batch_size instead'));
  }
  if (config.batch_flush_delay !== undefined && config.batch_flush_delay !== null && config.batch_flush_delay !== 3) {
    issues.push(warn('batch_flush_delay', 'opentelemetry: config.batch_flush_delay is deprecated, please use config.queue.max_coalescing_delay instead'));
  }
  if (config.queue.max_bytes !== null) issues.push(warn('queue.max_bytes', 'is not acted on: gw queues spans, not strings; queue.max_entries bounds the queue'));
  const p = config.propagation;
  (p.extract ?? []).forEach((f, i) => {
    if (f !== 'w3c') issues.push(warn(`propagation.extract[${i}]`, `is not acted on: gw reads W3C trace context (traceparent) only, not ${f} headers`));
  });
  (p.inject ?? []).forEach((f, i) => {
    if (f !== 'w3c' && f !== 'preserve') issues.push(warn(`propagation.inject[${i}]`, `is not acted on: gw sends W3C trace context (traceparent) only, not ${f} headers`));
  });
  if (p.default_format !== 'w3c' && propagationOf(config).inject.includes('preserve')) {
    issues.push(warn('propagation.default_format', `is not acted on: gw sends W3C trace context (traceparent) only, not ${p.default_format} headers`));
  }
  const type = config.header_type;
  if (type !== null && type !== 'preserve') {
    const legacy = 'opentelemetry: config.header_type is deprecated, please use config.propagation options instead';
    issues.push(warn('header_type', type === 'ignore' || type === 'w3c' ? legacy : `${legacy}; gw sends W3C trace context only, not ${type} headers`));
  }
  return issues;
}
