/**
 * opentelemetry (Kong PRIORITY 14): spans for each request over OTLP/HTTP (protobuf), W3C trace context in
 * and out, the GenAI conventions on the AI call.
 *
 * Each configured instance has its own exporter, queue and tracer (its endpoint, headers, sampling). The
 * counters are the plugin's, summed over instances and kept across reloads: `status()` puts them in
 * GET /status (plugins.opentelemetry) and gives them to the prometheus plugin (gw_otel_spans_*).
 * A fault here never reaches a request: every handler catches, logs once, and lets the request go on.
 */
import { definePlugin, packageVersion, type Logger, type PluginDefinition } from '@gw/plugin-api';
import { configSchema, tracesEndpoint, validateConfig, type OpenTelemetryConfig } from './config.js';
import type { Pipeline } from './pipeline.js';
import type { DropReason } from './queue.js';
import type { RequestSpans } from './spans.js';

const VERSION = packageVersion(import.meta.url);
/** How long closing an instance (reload, shutdown) waits for its queue to drain before dropping the rest. */
const CLOSE_FLUSH_MS = 2_000;

export interface OpenTelemetryState {
  /** Undefined for an instance with no traces endpoint (logs_endpoint only: warned about, nothing to do). */
  pipeline: Pipeline | undefined;
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
    async init(config, services) {
      const endpoint = tracesEndpoint(config);
      const state: OpenTelemetryState = { pipeline: undefined, logger: services.logger, endpoint: endpoint === null ? '' : safeEndpoint(endpoint), lastLogged: 0 };
      if (endpoint === null) return state;
      const { createPipeline } = await import('./pipeline.js');
      state.pipeline = createPipeline(endpoint, config, services, VERSION, {
        exported: (n) => (counters.exported += n),
        dropped: (reason, n) => {
          counters.dropped[reason] += n;
          if (reason === 'export_failed') report(state, `${n} spans dropped: the collector at ${state.endpoint} did not take them within queue.max_retry_time`);
        },
      });
      live.add(state);
      return state;
    },
    async close(state) {
      live.delete(state);
      const pipeline = state.pipeline;
      if (pipeline === undefined) return;
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS).unref());
      await Promise.race([pipeline.queue.forceFlush(), timeout]);
      await Promise.race([pipeline.shutdown().catch(() => {}), timeout]);
    },
    access({ ctx, state, local }) {
      const p = state.pipeline;
      if (p !== undefined) guarded(state, 'access', () => p.startRequest(p.tracing, ctx, local));
    },
    upstream({ ctx, state, local, upstream }) {
      const p = state.pipeline;
      if (p !== undefined) guarded(state, 'upstream', () => p.startTry(p.tracing, ctx, local, upstream));
    },
    responseHeaders({ ctx, state, local, response }) {
      const p = state.pipeline;
      if (p !== undefined) guarded(state, 'responseHeaders', () => p.onResponseHead(p.tracing, ctx, local, response));
    },
    log({ ctx, state, local, record }) {
      const p = state.pipeline;
      if (p !== undefined) guarded(state, 'log', () => p.finishRequest(p.tracing, ctx, local, record));
    },
    status() {
      let queued = 0;
      for (const s of live) queued += s.pipeline?.queue.length ?? 0;
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
