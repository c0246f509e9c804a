/**
 * One configured instance's export pipeline (OTLP exporter → Kong's queue → tracer) and the span
 * handlers, loaded by the first instance (plugin.ts): gw loads every bundled plugin at start, and a
 * gateway that configures no opentelemetry instance should not pay for the SDK.
 */
import { randomUUID } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { PluginServices } from '@gw/plugin-api';
import { outboundAgents, readProxyEnv } from '@gw/proxy-env';
import { propagationOf, queueOf, type OpenTelemetryConfig } from './config.js';
import { createSpanQueue, type QueueCounters, type SpanQueue } from './queue.js';
import { kongSampler } from './sampler.js';
import { finishRequest, onResponseHead, startRequest, startTry, type TracingInstance } from './spans.js';

export interface Pipeline {
  readonly tracing: TracingInstance;
  readonly queue: SpanQueue;
  shutdown(): Promise<void>;
  readonly startRequest: typeof startRequest;
  readonly startTry: typeof startTry;
  readonly onResponseHead: typeof onResponseHead;
  readonly finishRequest: typeof finishRequest;
}

export function createPipeline(endpoint: string, config: OpenTelemetryConfig, services: PluginServices, version: string, counters: QueueCounters): Pipeline {
  const exporter = new OTLPTraceExporter({
    url: endpoint,
    headers: { ...(config.headers ?? {}) },
    // One bound per export: Kong's connect, send and read timeouts end to end.
    timeoutMillis: Math.max(1, config.connect_timeout + config.send_timeout + config.read_timeout),
    // The queue decides how many batches are in flight (concurrency_limit), not the exporter.
    concurrencyLimit: 1_000,
    // Through the outbound proxy the environment names (NO_PROXY respected), as gw's other calls go;
    // without one, the exporter's own keep-alive agent.
    ...(readProxyEnv(process.env).settings === undefined
      ? {}
      : { httpAgentOptions: (protocol: string) => (protocol === 'https:' ? outboundAgents().httpsAgent : outboundAgents().httpAgent) }),
  });
  const queue = createSpanQueue(exporter, queueOf(config), counters);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'gw',
      'service.version': version,
      'service.instance.id': services.nodeId ?? randomUUID(),
      ...(config.resource_attributes ?? {}),
    }),
    sampler: kongSampler(config.sampling_rate ?? 1),
    spanProcessors: [queue],
  });
  return {
    tracing: {
      tracer: provider.getTracer('gw', version),
      propagation: propagationOf(config),
      traceIdHeader: config.http_response_header_for_traceid,
      captureContent: config.capture_message_content,
    },
    queue,
    shutdown: () => provider.shutdown(),
    startRequest,
    startTry,
    onResponseHead,
    finishRequest,
  };
}
