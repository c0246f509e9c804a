/**
 * Kong's rules for the opentelemetry config: deprecated fields mapped as Queue.get_plugin_params and
 * propagation.get_plugin_params do, and what gw does not act on warned about (never silently ignored).
 */
import { describe, expect, it } from 'vitest';
import { propagationOf, queueOf, validateConfig, type OpenTelemetryConfig } from '../src/index.js';

const base: OpenTelemetryConfig = {
  traces_endpoint: 'http://collector:4318/v1/traces',
  logs_endpoint: null,
  headers: null,
  resource_attributes: null,
  queue: { max_batch_size: 200, max_coalescing_delay: 1, max_entries: 10000, max_bytes: null, max_retry_time: 60, initial_retry_delay: 0.01, max_retry_delay: 60, concurrency_limit: 1 },
  connect_timeout: 1000,
  send_timeout: 5000,
  read_timeout: 5000,
  http_response_header_for_traceid: null,
  header_type: 'preserve',
  sampling_rate: null,
  propagation: { default_format: 'w3c' },
  capture_message_content: false,
};
const warnings = (c: Partial<OpenTelemetryConfig>) => validateConfig({ ...base, ...c }).map((i) => `${i.severity ?? 'error'} ${i.path}: ${i.message}`);

describe('opentelemetry config', () => {
  it("maps header_type as Kong does when no propagation field is set (preserve: extract Kong's list, inject what came in)", () => {
    expect(propagationOf(base)).toEqual({ extract: ['b3', 'w3c', 'jaeger', 'ot', 'datadog', 'aws', 'gcp', 'instana'], clear: [], inject: ['preserve'], defaultFormat: 'w3c' });
    expect(propagationOf({ ...base, header_type: 'ignore' })).toEqual({ extract: [], clear: [], inject: ['w3c'], defaultFormat: 'w3c' });
    expect(propagationOf({ ...base, propagation: { extract: ['w3c'], clear: ['x-b3-traceid'], default_format: 'w3c' } })).toEqual({
      extract: ['w3c'],
      clear: ['x-b3-traceid'],
      inject: [],
      defaultFormat: 'w3c',
    });
  });

  it('takes a deprecated batch_span_count / batch_flush_delay over the queue when not at their old defaults', () => {
    expect(queueOf({ ...base, batch_span_count: 200, batch_flush_delay: 3 })).toMatchObject({ maxBatchSize: 200, maxCoalescingDelayMs: 1000 });
    expect(queueOf({ ...base, batch_span_count: 50, batch_flush_delay: 2 })).toMatchObject({ maxBatchSize: 50, maxCoalescingDelayMs: 2000 });
    expect(warnings({ batch_span_count: 50, batch_flush_delay: 2 })).toEqual([
      'warning batch_span_count: opentelemetry: config.batch_span_count is deprecated, please use config.queue.max_batch_size instead',
      'warning batch_flush_delay: opentelemetry: config.batch_flush_delay is deprecated, please use config.queue.max_coalescing_delay instead',
    ]);
  });

  it('needs an endpoint, as Kong (at_least_one_of), and warns about logs, other trace formats and max_bytes', () => {
    expect(warnings({ traces_endpoint: null })).toEqual(['error traces_endpoint: at least one of these fields must be non-empty: traces_endpoint, logs_endpoint']);
    expect(warnings({ traces_endpoint: null, endpoint: 'http://c:4318/v1/traces' })).toEqual([
      'warning endpoint: OpenTelemetry: config.endpoint is deprecated, please use config.traces_endpoint instead',
    ]);
    expect(warnings({ logs_endpoint: 'http://c:4318/v1/logs', queue: { ...base.queue, max_bytes: 100 } })).toEqual([
      'warning logs_endpoint: is not acted on: gw exports traces over OTLP, not logs (file-log writes every request)',
      'warning queue.max_bytes: is not acted on: gw queues spans, not strings; queue.max_entries bounds the queue',
    ]);
    expect(warnings({ propagation: { extract: ['b3', 'w3c'], inject: ['preserve', 'datadog'], default_format: 'b3' } })).toEqual([
      'warning propagation.extract[0]: is not acted on: gw reads W3C trace context (traceparent) only, not b3 headers',
      'warning propagation.inject[1]: is not acted on: gw sends W3C trace context (traceparent) only, not datadog headers',
      'warning propagation.default_format: is not acted on: gw sends W3C trace context (traceparent) only, not b3 headers',
    ]);
    expect(warnings({ header_type: 'jaeger' })).toEqual([
      'warning header_type: opentelemetry: config.header_type is deprecated, please use config.propagation options instead; gw sends W3C trace context only, not jaeger headers',
    ]);
    expect(warnings({})).toEqual([]);
  });
});
