/**
 * A mixed run for the metrics tests: two consumers on an ai-proxy route behind key-auth (streams, oneshot
 * answers, cache tokens, a Bedrock error, an upstream cut, a client that hangs up, a missing key), a
 * plain route, a dead upstream, an unrouted path; prometheus and file-log on everything. And what the
 * metrics must be, computed from file-log's lines alone, by Kong's exporter rules.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INPUT_COST, MODEL, OUTPUT_COST } from './bedrock.js';
import type { LogLine } from './gateway.js';

export const ALICE_KEY = 'alice-metrics-key-0001';
export const BOB_KEY = 'bob-metrics-key-0002';

export function observabilityConfig(logPath: string, echoPort: number, prometheus = 'per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, ai_metrics: true'): string {
  return `_format_version: "3.0"
services:
  - name: claude-code
    url: http://127.0.0.1:9/anything
    routes:
      - name: claude-code
        paths: [/anything]
        plugins:
          - name: key-auth
            config: {key_names: [x-api-key]}
  - name: echo
    url: http://127.0.0.1:${echoPort}
    routes:
      - name: plain
        paths: [/echo]
  # No names: Kong's labels fall back to the service's host and the route's id.
  - id: 0d0e1b6a-3c9b-4c41-9a55-5a1c7e3d9f01
    host: 127.0.0.1
    port: 9
    routes:
      - id: 6f3c2a10-8e7d-4b5c-a1f2-3d4e5f6a7b80
        paths: [/dead]
consumers:
  - username: alice
    keyauth_credentials: [{key: ${ALICE_KEY}}]
  - username: bob
    keyauth_credentials: [{key: ${BOB_KEY}}]
plugins:
  - name: ai-proxy
    route: claude-code
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      logging: {log_statistics: true}
      auth:
        aws_access_key_id: "\${aws_access_key_id}"
        aws_secret_access_key: "\${aws_secret_access_key}"
      model:
        provider: bedrock
        name: ${MODEL}
        options:
          bedrock: {aws_region: "\${aws_region}"}
          max_tokens: 8192
          input_cost: ${INPUT_COST}
          output_cost: ${OUTPUT_COST}
  - name: prometheus
    config: {${prometheus}}
  - name: file-log
    config: {path: ${logPath}}
`;
}

export interface Echo {
  port: number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<Echo> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`echo ${req.url}\n`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function request(url: string, opts: { method?: string; key?: string; body?: string; hangUpAfter?: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    if (opts.key) headers['x-api-key'] = opts.key;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(url, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, agent: false }, (res) => {
      let seen = 0;
      res.on('data', (c: Buffer) => {
        seen += c.length;
        if (opts.hangUpAfter !== undefined && seen >= opts.hangUpAfter) {
          req.destroy();
          resolve(res.statusCode ?? 0);
        }
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => (opts.hangUpAfter !== undefined ? resolve(0) : reject(err)));
    req.end(opts.body);
  });
}

const ask = (text: string, stream: boolean) => JSON.stringify({ model: MODEL, max_tokens: 64, stream, messages: [{ role: 'user', content: text }] });

/** One round of mixed traffic; returns how many requests it sent (each is one log line). */
export async function mixedTraffic(url: string): Promise<number> {
  const ai = `${url}/anything/v1/messages`;
  const sent = await Promise.all([
    request(ai, { key: ALICE_KEY, body: ask('hello [scenario:text]', true) }),
    request(ai, { key: ALICE_KEY, body: ask('hello [scenario:text]', false) }),
    request(ai, { key: ALICE_KEY, body: ask('cached [scenario:cache]', true) }),
    request(ai, { key: BOB_KEY, body: ask('hello [scenario:text]', true) }),
    request(ai, { key: BOB_KEY, body: ask('hello [scenario:cache]', false) }),
    request(ai, { key: BOB_KEY, body: ask('bad [scenario:validation]', false) }),
    request(ai, { key: BOB_KEY, body: ask('cut [scenario:cut]', true) }),
    request(ai, { key: ALICE_KEY, body: ask('long [scenario:slow]', true), hangUpAfter: 200 }),
    request(ai, { body: ask('no key', true) }),
    request(`${url}/echo/one`, {}),
    request(`${url}/echo/two`, { body: 'x'.repeat(1000) }),
    request(`${url}/dead/x`, {}),
    request(`${url}/nowhere`, {}),
  ]);
  return sent.length;
}

// ── the expected metrics, from the log lines ─────────────────────────────────────────────────────────

export const KONG_LATENCY_BUCKETS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000];
export const UPSTREAM_LATENCY_BUCKETS = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000];
export const AI_BUCKETS = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 10000, 30000, 60000];

/**
 * Series key: metric name and its labels, sorted, as Prometheus identifies a series (a label with an
 * empty value is no label: Prometheus drops it on ingestion).
 */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .filter(([k, v]) => k !== '__name__' && k !== 'instance' && k !== 'job' && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${parts.join(',')}}`;
}

export class Expected {
  readonly series = new Map<string, number>();
  add(name: string, labels: Record<string, string>, value: number): void {
    const key = seriesKey(name, labels);
    this.series.set(key, (this.series.get(key) ?? 0) + value);
  }
  observe(name: string, labels: Record<string, string>, buckets: number[], value: number): void {
    for (const le of buckets) this.add(`${name}_bucket`, { ...labels, le: String(le) }, value <= le ? 1 : 0);
    this.add(`${name}_bucket`, { ...labels, le: '+Inf' }, 1);
    this.add(`${name}_count`, labels, 1);
    this.add(`${name}_sum`, labels, value);
  }
}

/** Kong's exporter.log over file-log's records (every switch on, per_consumer included). */
export function expectedFromLog(lines: LogLine[]): Expected {
  const e = new Expected();
  for (const line of lines) {
    if (line.route === null) continue;
    const service = line.service === null ? '' : String(line.service.name ?? line.service.host);
    const route = String(line.route.name ?? line.route.id);
    const consumer = line.consumer?.username ?? '';
    const workspace = 'default';
    const r = { service, route, workspace };
    if (line.request.size > 0) e.add('kong_bandwidth_bytes', { ...r, direction: 'ingress', consumer }, line.request.size);
    if (line.response.size > 0) e.add('kong_bandwidth_bytes', { ...r, direction: 'egress', consumer }, line.response.size);
    e.add('kong_http_requests_total', { ...r, code: String(line.response.status), source: line.source === 'upstream' ? 'service' : 'kong', consumer }, 1);
    if (line.cut) e.add('gw_http_responses_cut_total', { ...r, by: line.cut.by, reason: line.cut.reason }, 1);
    const { request, proxy, kong } = line.latencies;
    if (request >= 0) e.observe('kong_request_latency_ms', r, UPSTREAM_LATENCY_BUCKETS, request);
    if (proxy >= 0) e.observe('kong_upstream_latency_ms', r, UPSTREAM_LATENCY_BUCKETS, proxy);
    if (kong >= 0) e.observe('kong_kong_latency_ms', r, KONG_LATENCY_BUCKETS, kong);

    const ai = line.ai?.proxy;
    if (ai === undefined) continue;
    const meta = ai.meta;
    const usage = ai.usage;
    const base = { ai_provider: meta.provider_name, ai_model: meta.request_model, cache_status: '', vector_db: '', embeddings_provider: '', embeddings_model: '', workspace, consumer };
    const labels = { ...base, request_mode: meta.request_mode };
    e.add('kong_ai_llm_requests_total', labels, 1);
    if (usage.cost > 0) e.add('kong_ai_llm_cost_total', labels, usage.cost);
    if (meta.llm_latency >= 0) e.observe('kong_ai_llm_provider_latency_ms', labels, AI_BUCKETS, meta.llm_latency);
    if (usage.time_to_first_token >= 0) e.observe('gw_ai_llm_time_to_first_token_ms', labels, AI_BUCKETS, usage.time_to_first_token);
    if (usage.prompt_tokens_estimated || usage.completion_tokens_estimated) e.add('gw_ai_llm_estimated_requests_total', labels, 1);
    const tokens = (name: string, type: string, n: number) => n > 0 && e.add(name, { ...base, token_type: type }, n);
    tokens('kong_ai_llm_tokens_total', 'prompt_tokens', usage.prompt_tokens);
    tokens('kong_ai_llm_tokens_total', 'completion_tokens', usage.completion_tokens);
    tokens('kong_ai_llm_tokens_total', 'total_tokens', usage.total_tokens);
    tokens('gw_ai_llm_tokens_total', 'input_tokens', usage.prompt_tokens - usage.cache_read_input_tokens - usage.cache_creation_input_tokens);
    tokens('gw_ai_llm_tokens_total', 'output_tokens', usage.completion_tokens);
    tokens('gw_ai_llm_tokens_total', 'cache_read_tokens', usage.cache_read_input_tokens);
    tokens('gw_ai_llm_tokens_total', 'cache_write_tokens', usage.cache_creation_input_tokens);
  }
  return e;
}

/** The metric families a request can change (the node gauges are checked apart). */
export const REQUEST_FAMILIES = [
  'kong_http_requests_total',
  'kong_bandwidth_bytes',
  'kong_request_latency_ms',
  'kong_upstream_latency_ms',
  'kong_kong_latency_ms',
  'kong_ai_llm_requests_total',
  'kong_ai_llm_cost_total',
  'kong_ai_llm_tokens_total',
  'kong_ai_llm_provider_latency_ms',
  'gw_ai_llm_tokens_total',
  'gw_ai_llm_time_to_first_token_ms',
  'gw_ai_llm_estimated_requests_total',
  'gw_http_responses_cut_total',
];

export const familyOf = (key: string) => key.slice(0, key.indexOf('{')).replace(/_(bucket|sum|count)$/, '');
