/**
 * The plugin's own rules, with handlers called as functions: Kong's switches (each family only when
 * its switch is on; consumer only with per_consumer), nothing for an unrouted request, node metrics
 * only while no instance is configured, counters surviving a reload, other plugins' metrics exported,
 * and the fields gw cannot act on warned about.
 */
import { describe, expect, it } from 'vitest';
import { AI_CALL, type AiCall, type LogRecord, type NodeStatus, type PluginMetric, type RequestContext } from '@gw/plugin-api';
import { createPrometheusPlugin, hashNumber, validateConfig, type PrometheusConfig } from '../src/index.js';

const ALL_OFF: PrometheusConfig = {
  per_consumer: false,
  status_code_metrics: false,
  ai_metrics: false,
  latency_metrics: false,
  bandwidth_metrics: false,
  upstream_health_metrics: false,
  wasm_metrics: false,
};
const ALL_ON: PrometheusConfig = { ...ALL_OFF, per_consumer: true, status_code_metrics: true, ai_metrics: true, latency_metrics: true, bandwidth_metrics: true };
const logger = { info() {}, warn() {}, error() {} };
const services = { logger, configDir: '/', pluginId: 'p1' };

function record(extra: Partial<LogRecord> = {}): LogRecord {
  return {
    request: { id: 'r', uri: '/x', url: 'http://h/x', querystring: {}, method: 'POST', headers: {}, size: 100 },
    upstream_uri: '/x',
    upstream_status: '200',
    response: { status: 200, headers: {}, size: 250 },
    latencies: { kong: 3, proxy: 40, request: 60, receive: 17 },
    tries: [],
    route: { id: 'route-id', name: 'chat' },
    service: { id: 'svc-id', name: 'bedrock', host: 'bedrock.example' },
    consumer: { id: 'c1', username: 'alice' },
    client_ip: '127.0.0.1',
    started_at: 0,
    source: 'upstream',
    ...extra,
  };
}

const call: AiCall = {
  provider: 'bedrock',
  format: 'anthropic',
  routeType: 'llm/v1/chat',
  model: 'm1',
  clientModel: 'm1',
  stream: true,
  usage: () => ({ tokens: { input: 10, output: 5, cacheRead: 100, cacheWrite: 0 }, costUsd: 0.5, estimated: { input: false, output: false }, complete: true, latencyMs: 1200, timeToFirstTokenMs: 300 }),
};

function ctx(ai?: AiCall): RequestContext {
  return { read: (channel: unknown) => (channel === AI_CALL ? ai : undefined) } as unknown as RequestContext;
}

function node(metrics: PluginMetric[] = []): NodeStatus {
  return {
    nodeId: 'node-1',
    version: '0.1.0',
    totalRequests: () => 3,
    inFlight: () => 0,
    connections: () => ({ accepted: 2, active: 1 }),
    configuration: () => ({ hash: 'ff', loadedAt: 1_700_000_000_000 }),
    closing: () => false,
    pluginReports: () => new Map([['other', { metrics }]]),
  };
}

async function scrape(plugin: ReturnType<typeof createPrometheusPlugin>, metrics: PluginMetric[] = []): Promise<string> {
  const res = await plugin.statusEndpoints![0].handle(new Request('http://status/metrics'), node(metrics));
  return res.text();
}

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('prometheus plugin', () => {
  it('exports only the node metrics while no instance is configured (Kong: IS_PROMETHEUS_ENABLED)', async () => {
    const plugin = createPrometheusPlugin();
    const text = await scrape(plugin);
    expect(lines(text, 'kong_nginx_requests_total')).toEqual(['kong_nginx_requests_total{node_id="node-1",subsystem="http"} 3']);
    expect(lines(text, 'kong_node_info')).toEqual(['kong_node_info{node_id="node-1",version="0.1.0"} 1']);
    expect(lines(text, 'gw_config_hash')).toEqual(['gw_config_hash{node_id="node-1"} 255']);
    expect(text).not.toContain('kong_http_requests_total');
  });

  it('counts each family only when its switch is on; consumer only with per_consumer', async () => {
    const plugin = createPrometheusPlugin();
    const off = await plugin.init!(ALL_OFF, services);
    await plugin.log!({ ctx: ctx(call), config: ALL_OFF, state: off, local: {}, record: record() });
    let text = await scrape(plugin);
    for (const name of ['kong_http_requests_total', 'kong_bandwidth_bytes', 'kong_request_latency_ms_count', 'kong_ai_llm_requests_total']) expect(lines(text, name)).toEqual([]);

    const noConsumer = { ...ALL_ON, per_consumer: false };
    await plugin.log!({ ctx: ctx(call), config: noConsumer, state: off, local: {}, record: record() });
    await plugin.log!({ ctx: ctx(call), config: ALL_ON, state: off, local: {}, record: record() });
    text = await scrape(plugin);
    expect(lines(text, 'kong_http_requests_total').sort()).toEqual([
      'kong_http_requests_total{service="bedrock",route="chat",code="200",source="service",workspace="default",consumer=""} 1',
      'kong_http_requests_total{service="bedrock",route="chat",code="200",source="service",workspace="default",consumer="alice"} 1',
    ]);
    expect(lines(text, 'kong_ai_llm_tokens_total')).toContain(
      'kong_ai_llm_tokens_total{ai_provider="bedrock",ai_model="m1",cache_status="",vector_db="",embeddings_provider="",embeddings_model="",token_type="prompt_tokens",workspace="default",consumer="alice"} 110',
    );
    expect(lines(text, 'gw_ai_llm_tokens_total').filter((l) => l.includes('consumer="alice"')).map((l) => /token_type="(\w+)".* (\d+)$/.exec(l)!.slice(1).join(' '))).toEqual([
      'input_tokens 10',
      'output_tokens 5',
      'cache_read_tokens 100',
    ]);
    expect(lines(text, 'kong_ai_llm_provider_latency_ms_sum')).toHaveLength(2);
    expect(lines(text, 'gw_ai_llm_time_to_first_token_ms_bucket').find((l) => l.includes('le="250"') && l.includes('alice'))).toMatch(/ 0$/);
    expect(lines(text, 'gw_ai_llm_time_to_first_token_ms_bucket').find((l) => l.includes('le="500"') && l.includes('alice'))).toMatch(/ 1$/);
  });

  it('counts nothing for a request no route matched, as Kong', async () => {
    const plugin = createPrometheusPlugin();
    const state = await plugin.init!(ALL_ON, services);
    await plugin.log!({ ctx: ctx(), config: ALL_ON, state, local: {}, record: record({ route: null, service: null }) });
    expect(lines(await scrape(plugin), 'kong_http_requests_total')).toEqual([]);
  });

  it('falls back to the service host and the route id, and labels a cut by who cut it', async () => {
    const plugin = createPrometheusPlugin();
    const state = await plugin.init!(ALL_ON, services);
    await plugin.log!({
      ctx: ctx(),
      config: ALL_ON,
      state,
      local: {},
      record: record({ route: { id: 'r-9' }, service: { id: 's', host: 'up.internal' }, consumer: null, cut: { by: 'client', reason: 'disconnected', at: 5, bytes: 10 } }),
    });
    const text = await scrape(plugin);
    expect(lines(text, 'kong_http_requests_total')).toEqual(['kong_http_requests_total{service="up.internal",route="r-9",code="200",source="service",workspace="default",consumer=""} 1']);
    expect(lines(text, 'gw_http_responses_cut_total')).toEqual(['gw_http_responses_cut_total{service="up.internal",route="r-9",workspace="default",by="client",reason="disconnected"} 1']);
  });

  it('keeps counting across a reload (a new instance before the old one closes)', async () => {
    const plugin = createPrometheusPlugin();
    const first = await plugin.init!(ALL_ON, services);
    await plugin.log!({ ctx: ctx(), config: ALL_ON, state: first, local: {}, record: record() });
    const second = await plugin.init!(ALL_ON, services);
    await plugin.close!(first);
    await plugin.log!({ ctx: ctx(), config: ALL_ON, state: second, local: {}, record: record() });
    expect(lines(await scrape(plugin), 'kong_http_requests_total')).toEqual([
      'kong_http_requests_total{service="bedrock",route="chat",code="200",source="service",workspace="default",consumer="alice"} 2',
    ]);
    await plugin.close!(second);
    expect(await scrape(plugin)).not.toContain('kong_http_requests_total');
  });

  it("exports other plugins' metrics, and leaves out one that takes a name of its own", async () => {
    const plugin = createPrometheusPlugin();
    const text = await scrape(plugin, [
      { name: 'gw_otel_spans_dropped_total', help: 'Spans dropped', type: 'counter', samples: [{ labels: { reason: 'queue_full' }, value: 4 }] },
      { name: 'kong_node_info', help: 'x', type: 'gauge', samples: [{ value: 9 }] },
    ]);
    expect(lines(text, 'gw_otel_spans_dropped_total')).toEqual(['gw_otel_spans_dropped_total{reason="queue_full"} 4']);
    expect(lines(text, 'kong_node_info')).toEqual(['kong_node_info{node_id="node-1",version="0.1.0"} 1']);
  });

  it('warns about the switches gw cannot act on', () => {
    expect(validateConfig({ ...ALL_OFF, upstream_health_metrics: true, wasm_metrics: true }).map((i) => [i.path, i.severity])).toEqual([
      ['upstream_health_metrics', 'warning'],
      ['wasm_metrics', 'warning'],
    ]);
    expect(validateConfig(ALL_OFF)).toEqual([]);
  });

  it("reads a hash as Kong's config_hash_to_number does", () => {
    expect(hashNumber('00000000000000000000000000000010')).toBe(16);
    expect(hashNumber('not hex')).toBe(0);
  });
});
