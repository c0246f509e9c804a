/**
 * The log phase: one finished request into the metrics, as Kong's exporter.log does: label values from
 * the record (service name or host, route name or id, consumer username), latencies as logged, sizes as
 * logged, the AI call from the AI_CALL channel. Nothing request-derived but entity names and the status
 * code becomes a label: cardinality is bounded by the config (and by its consumers with `per_consumer`).
 */
import type { AiCall, LogRecord } from '@gw/plugin-api';
import type { PrometheusConfig } from './config.js';
import type { RequestMetrics } from './metrics.js';

const WORKSPACE = 'default';

interface AiProxyLog {
  meta?: { llm_latency?: unknown };
  usage?: { time_to_first_token?: unknown };
}

/** A number ≥ 0, or undefined. */
const ms = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

export function observe(metrics: RequestMetrics, config: PrometheusConfig, record: LogRecord, call: AiCall | undefined): void {
  // Kong counts nothing for a request that matched no route.
  const route = record.route;
  if (route === null) return;
  const service = record.service;
  const serviceName = service === null ? '' : (text(service.name) ?? text(service.host) ?? '');
  const routeName = text(route.name) ?? text(route.id) ?? '';
  const consumer = config.per_consumer && record.consumer !== null && typeof record.consumer.username === 'string' ? record.consumer.username : '';

  if (config.bandwidth_metrics) {
    const labels = { service: serviceName, route: routeName, direction: 'ingress', workspace: WORKSPACE, consumer };
    if (record.request.size > 0) metrics.bandwidth.inc(labels, record.request.size);
    if (record.response.size > 0) metrics.bandwidth.inc({ ...labels, direction: 'egress' }, record.response.size);
  }

  if (config.status_code_metrics) {
    metrics.status.inc({
      service: serviceName,
      route: routeName,
      code: String(record.response.status),
      source: record.source === 'upstream' ? 'service' : 'kong',
      workspace: WORKSPACE,
      consumer,
    });
    const cut = record.cut;
    if (cut !== undefined) metrics.gwCuts.inc({ service: serviceName, route: routeName, workspace: WORKSPACE, by: cut.by, reason: cut.reason });
  }

  if (config.latency_metrics) {
    const labels = { service: serviceName, route: routeName, workspace: WORKSPACE };
    const { request, proxy, kong } = record.latencies;
    if (request >= 0) metrics.requestLatency.observe(labels, request);
    if (proxy >= 0) metrics.upstreamLatency.observe(labels, proxy);
    if (kong >= 0) metrics.kongLatency.observe(labels, kong);
  }

  if (config.ai_metrics && call !== undefined) observeAi(metrics, record, call, consumer);
}

function observeAi(metrics: RequestMetrics, record: LogRecord, call: AiCall, consumer: string): void {
  const report = call.usage();
  const labels = {
    ai_provider: call.provider,
    ai_model: call.model,
    cache_status: '',
    vector_db: '',
    embeddings_provider: '',
    embeddings_model: '',
    workspace: WORKSPACE,
    consumer,
    request_mode: call.stream ? 'stream' : 'oneshot',
  };
  metrics.aiRequests.inc(labels);
  if (report.costUsd !== undefined && report.costUsd > 0) metrics.aiCost.inc(labels, report.costUsd);

  // The publisher's timings; else ai-proxy's `ai.proxy` log value (there with log_statistics).
  const logged = (record.ai as { proxy?: AiProxyLog } | undefined)?.proxy;
  const latency = ms(report.latencyMs) ?? ms(logged?.meta?.llm_latency);
  if (latency !== undefined) metrics.aiLatency.observe(labels, latency);
  const firstToken = ms(report.timeToFirstTokenMs) ?? ms(logged?.usage?.time_to_first_token);
  if (firstToken !== undefined) metrics.gwFirstToken.observe(labels, firstToken);
  if (report.estimated.input || report.estimated.output) metrics.gwEstimated.inc(labels);

  const { input, output, cacheRead, cacheWrite } = report.tokens;
  const tokens = {
    ai_provider: labels.ai_provider,
    ai_model: labels.ai_model,
    cache_status: '',
    vector_db: '',
    embeddings_provider: '',
    embeddings_model: '',
    token_type: '',
    workspace: WORKSPACE,
    consumer,
  };
  // Kong's prompt_tokens count every prompt token, cache reads and writes included.
  const prompt = input + cacheRead + cacheWrite;
  if (prompt > 0) metrics.aiTokens.inc({ ...tokens, token_type: 'prompt_tokens' }, prompt);
  if (output > 0) metrics.aiTokens.inc({ ...tokens, token_type: 'completion_tokens' }, output);
  if (prompt + output > 0) metrics.aiTokens.inc({ ...tokens, token_type: 'total_tokens' }, prompt + output);
  if (input > 0) metrics.gwTokens.inc({ ...tokens, token_type: 'input_tokens' }, input);
  if (output > 0) metrics.gwTokens.inc({ ...tokens, token_type: 'output_tokens' }, output);
  if (cacheRead > 0) metrics.gwTokens.inc({ ...tokens, token_type: 'cache_read_tokens' }, cacheRead);
  if (cacheWrite > 0) metrics.gwTokens.inc({ ...tokens, token_type: 'cache_write_tokens' }, cacheWrite);
}

/** A record's name field, when it is one (decK names are strings; the record's shape is open). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
