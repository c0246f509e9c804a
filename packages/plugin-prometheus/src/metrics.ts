/**
 * The metric families, with Kong's names, help texts, label names (in Kong's order) and histogram buckets
 * (kong/plugins/prometheus/exporter.lua, prefix `kong_`), plus gw's own under `gw_`. Kong 3.11 and 3.12
 * added `consumer` and `request_mode` to the AI families; gw has them too (a dashboard that doesn't group
 * by a label is not affected by it).
 *
 * Two registries: `requests` holds what the log phase counts, exported only while a prometheus instance is
 * configured (Kong's IS_PROMETHEUS_ENABLED); `node` holds the gauges set at scrape time, always exported.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AI_LLM_PROVIDER_LATENCY_BUCKETS, KONG_LATENCY_BUCKETS, UPSTREAM_LATENCY_BUCKETS } from './buckets.js';


const ROUTE_LABELS = ['service', 'route', 'workspace'] as const;
const AI_LABELS = ['ai_provider', 'ai_model', 'cache_status', 'vector_db', 'embeddings_provider', 'embeddings_model', 'workspace', 'consumer', 'request_mode'] as const;
const AI_TOKEN_LABELS = ['ai_provider', 'ai_model', 'cache_status', 'vector_db', 'embeddings_provider', 'embeddings_model', 'token_type', 'workspace', 'consumer'] as const;

export function requestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    status: new Counter({
      name: 'kong_http_requests_total',
      help: 'HTTP status codes per consumer/service/route in Kong',
      labelNames: ['service', 'route', 'code', 'source', 'workspace', 'consumer'] as const,
      registers,
    }),
    kongLatency: new Histogram({
      name: 'kong_kong_latency_ms',
      help: 'Latency added by Kong and enabled plugins for each service/route in Kong',
      labelNames: ROUTE_LABELS,
      buckets: KONG_LATENCY_BUCKETS,
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'kong_upstream_latency_ms',
      help: 'Latency added by upstream response for each service/route in Kong',
      labelNames: ROUTE_LABELS,
      buckets: UPSTREAM_LATENCY_BUCKETS,
      registers,
    }),
    requestLatency: new Histogram({
      name: 'kong_request_latency_ms',
      help: 'Total latency incurred during requests for each service/route in Kong',
      labelNames: ROUTE_LABELS,
      buckets: UPSTREAM_LATENCY_BUCKETS,
      registers,
    }),
    bandwidth: new Counter({
      name: 'kong_bandwidth_bytes',
      help: 'Total bandwidth (ingress/egress) throughput in bytes',
      labelNames: ['service', 'route', 'direction', 'workspace', 'consumer'] as const,
      registers,
    }),
    aiRequests: new Counter({ name: 'kong_ai_llm_requests_total', help: 'AI requests total per ai_provider in Kong', labelNames: AI_LABELS, registers }),
    aiCost: new Counter({ name: 'kong_ai_llm_cost_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames: AI_LABELS, registers }),
    // Kong's help text for this family is the cost one; kept, so the output matches Kong's.
    aiTokens: new Counter({ name: 'kong_ai_llm_tokens_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames: AI_TOKEN_LABELS, registers }),
    aiLatency: new Histogram({
      name: 'kong_ai_llm_provider_latency_ms',
      help: 'LLM response Latency for each AI plugins per ai_provider in Kong',
      labelNames: AI_LABELS,
      buckets: AI_LLM_PROVIDER_LATENCY_BUCKETS,
      registers,
    }),
    // gw's own.
    gwTokens: new Counter({
      name: 'gw_ai_llm_tokens_total',
      help: 'AI tokens by kind, each counted once: input (without cache), output, cache read, cache write',
      labelNames: AI_TOKEN_LABELS,
      registers,
    }),
    gwFirstToken: new Histogram({
      name: 'gw_ai_llm_time_to_first_token_ms',
      help: 'Time from the upstream request to the first token (a oneshot answer: to the answer)',
      labelNames: AI_LABELS,
      buckets: AI_LLM_PROVIDER_LATENCY_BUCKETS,
      registers,
    }),
    gwEstimated: new Counter({
      name: 'gw_ai_llm_estimated_requests_total',
      help: "AI requests whose token counts are gw's estimate (a cut answer) rather than the backend's",
      labelNames: AI_LABELS,
      registers,
    }),
    gwCuts: new Counter({
      name: 'gw_http_responses_cut_total',
      help: 'Responses that did not end normally, by who cut them (client, upstream, gateway) and why',
      labelNames: ['service', 'route', 'workspace', 'by', 'reason'] as const,
      registers,
    }),
  };
}

export type RequestMetrics = ReturnType<typeof requestMetrics>;

export function nodeMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: 'kong_nginx_connections_total',
      help: 'Number of connections by subsystem',
      labelNames: ['node_id', 'subsystem', 'state'] as const,
      registers,
    }),
    requests: new Gauge({ name: 'kong_nginx_requests_total', help: 'Number of requests total', labelNames: ['node_id', 'subsystem'] as const, registers }),
    // With several workers (gw start --workers) their values are summed, but for these three: one node, one config.
    nodeInfo: new Gauge({ name: 'kong_node_info', help: 'Kong Node metadata information', labelNames: ['node_id', 'version'] as const, registers, aggregator: 'first' }),
    workerMemory: new Gauge({
      name: 'kong_memory_workers_lua_vms_bytes',
      help: 'Allocated bytes in worker Lua VM',
      labelNames: ['node_id', 'pid', 'kong_subsystem'] as const,
      registers,
    }),
    rss: new Gauge({ name: 'gw_memory_rss_bytes', help: 'Resident set size of the gw process', labelNames: ['node_id'] as const, registers }),
    inFlight: new Gauge({ name: 'gw_requests_in_flight', help: 'Requests being proxied now', labelNames: ['node_id'] as const, registers }),
    configHash: new Gauge({
      name: 'gw_config_hash',
      help: "The configuration hash as a number (as Kong's kong_data_plane_config_hash): equal on nodes serving the same configuration",
      labelNames: ['node_id'] as const,
      registers,
      aggregator: 'first',
    }),
    configLoaded: new Gauge({
      name: 'gw_config_loaded_timestamp_seconds',
      help: 'When the configuration now serving was loaded (start or SIGHUP reload), seconds since epoch',
      labelNames: ['node_id'] as const,
      registers,
      aggregator: 'max',
    }),
  };
}

export type NodeMetrics = ReturnType<typeof nodeMetrics>;
