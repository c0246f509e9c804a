/**
 * opentelemetry (Kong PRIORITY 14): spans for each request over OTLP/HTTP (protobuf), W3C trace context in
 * and out, the GenAI conventions on the AI call.
 *
 * Each configured instance has its own exporter, queue and tracer (its endpoint, headers, sampling). The
 * counters are the plugin's, summed over instances and kept across reloads: `status()` puts them in
 * GET /status (plugins.opentelemetry) and gives them to the prometheus plugin (gw_otel_spans_*).
 * A fault here never reaches a request: every handler catches, logs once, and lets the request go on.
 */
import { randomUUID } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { definePlugin, packageVersion, type Logger, type PluginDefinition } from '@gw/plugin-api';
import { configSchema, propagationOf, queueOf, tracesEndpoint, validateConfig, type OpenTelemetryConfig } from './config.js';
import { createSpanQueue, type DropReason, type SpanQueue } from './queue.js';
import { kongSampler } from './sampler.js';
import { finishRequest, onResponseHead, startRequest, startTry, type RequestSpans, type TracingInstance } from './spans.js';

const VERSION = packageVersion(import.meta.url);
/** How long closing an instance (reload, shutdown) waits for its queue to drain before dropping the rest. */
const CLOSE_FLUSH_MS = 2_000;

export interface OpenTelemetryState {
  readonly tracing: TracingInstance | undefined;
  readonly provider: TracerProvider | undefined;
  readonly queue: SpanQueue | undefined;
  readonly logger: Logger;
  readonly endpoint: string;
  /** ms of the last error logged (one a minute at most per instance). */
  lastLogged: number;
}

export interface SpanCounters {
  exported: number;
  dropped: Record<DropReason, number>;
  /** Handler faults caught (the request went on without its spans). */
  failures: number;
}

/** An endpoint for the log: without userinfo or query, which can carry credentials. */
function safeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createOpenTelemetryPlugin(): PluginDefinition<OpenTelemetryConfig, OpenTelemetryState, RequestSpans> {
  const counters: SpanCounters = { exported: 0, dropped: { queue_full: 0, export_failed: 0, shutdown: 0 }, failures: 0 };
  const live = new Set<OpenTelemetryState>();

  const report = (state: OpenTelemetryState, what: string, error?: unknown) => {
    const now = Date.now();
    if (now - state.lastLogged < 60_000) return;
    state.lastLogged = now;
    state.logger.error(`opentelemetry: ${what}${error === undefined ? '' : `: ${describe(error)}`}`);
  };
  /** Runs a handler's work; a throw is counted and logged, never passed to the request. */
  const guarded = (state: OpenTelemetryState, phase: string, work: () => void) => {
    try {
      work();
    } catch (error) {
      counters.failures++;
      report(state, `spans for a request were lost in ${phase}`, error);
    }
  };

  return definePlugin<OpenTelemetryConfig, OpenTelemetryState, RequestSpans>({
    name: 'opentelemetry',
    version: VERSION,
    priority: 14,
    configSchema,
    // Kong's typedefs.protocols_http.
    protocols: { allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
    validate: validateConfig,
    init(config, services) {
      const endpoint = tracesEndpoint(config);
      if (endpoint === null) {
        // logs_endpoint only: warned about at load; nothing to do.
        const idle: OpenTelemetryState = { tracing: undefined, provider: undefined, queue: undefined, logger: services.logger, endpoint: '', lastLogged: 0 };
        return idle;
      }
      const state: OpenTelemetryState = { tracing: undefined, provider: undefined, queue: undefined, logger: services.logger, endpoint: safeEndpoint(endpoint), lastLogged: 0 };
      const exporter = new OTLPTraceExporter({
        url: endpoint,
        headers: { ...(config.headers ?? {}) },
        // One bound per export: Kong's connect, send and read timeouts end to end.
        timeoutMillis: Math.max(1, config.connect_timeout + config.send_timeout + config.read_timeout),
        // The queue decides how many batches are in flight (concurrency_limit), not the exporter.
        concurrencyLimit: 1_000,
      });
      const queue = createSpanQueue(exporter, queueOf(config), {
        exported: (n) => (counters.exported += n),
        dropped: (reason, n) => {
          counters.dropped[reason] += n;
          if (reason === 'export_failed') report(state, `${n} spans dropped: the collector at ${state.endpoint} did not take them within queue.max_retry_time`);
        },
      });
      const provider = new TracerProvider({
        resource: resourceFromAttributes({
          'service.name': 'gw',
          'service.version': VERSION,
          'service.instance.id': services.nodeId ?? randomUUID(),
          ...(config.resource_attributes ?? {}),
        }),
        sampler: kongSampler(config.sampling_rate ?? 1),
        spanProcessors: [queue],
      });
      const full: OpenTelemetryState = {
        ...state,
        provider,
        queue,
        tracing: {
          tracer: provider.getTracer('gw', VERSION),
          propagation: propagationOf(config),
          traceIdHeader: config.http_response_header_for_traceid,
          captureContent: config.capture_message_content,
        },
      };
      live.add(full);
      return full;
    },
    async close(state) {
      live.delete(state);
      if (state.provider === undefined || state.queue === undefined) return;
      const queue = state.queue;
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS).unref());
      await Promise.race([queue.forceFlush(), timeout]);
      await Promise.race([state.provider.shutdown().catch(() => {}), timeout]);
    },
    access({ ctx, state, local }) {
      const t = state.tracing;
      if (t !== undefined) guarded(state, 'access', () => startRequest(t, ctx, local));
    },
    upstream({ ctx, state, local, upstream }) {
      const t = state.tracing;
      if (t !== undefined) guarded(state, 'upstream', () => startTry(t, ctx, local, upstream));
    },
    responseHeaders({ ctx, state, local, response }) {
      const t = state.tracing;
      if (t !== undefined) guarded(state, 'responseHeaders', () => onResponseHead(t, ctx, local, response));
    },
    log({ ctx, state, local, record }) {
      const t = state.tracing;
      if (t !== undefined) guarded(state, 'log', () => finishRequest(t, ctx, local, record));
    },
    status() {
      let queued = 0;
      for (const s of live) queued += s.queue?.length ?? 0;
      const dropped = counters.dropped;
      return {
        values: { spans_exported: counters.exported, spans_dropped: { ...dropped }, spans_queued: queued, failures: counters.failures },
        metrics: [
          { name: 'gw_otel_spans_exported_total', help: 'Spans the collector took', type: 'counter', samples: [{ value: counters.exported }] },
          {
            name: 'gw_otel_spans_dropped_total',
            help: 'Spans dropped: the queue was full, the collector failed past queue.max_retry_time, or gw stopped first',
            type: 'counter',
            samples: (Object.keys(dropped) as DropReason[]).map((reason) => ({ labels: { reason }, value: dropped[reason] })),
          },
          { name: 'gw_otel_spans_queued', help: 'Spans waiting to be exported', type: 'gauge', samples: [{ value: queued }] },
        ],
      };
    },
  });
}

export const opentelemetry = createOpenTelemetryPlugin();
export default opentelemetry;
