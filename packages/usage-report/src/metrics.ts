/** The numbers of one group of records: sums and counts, exact; latency percentiles, sketched. */
import { isError, type UsageRecord } from './record.js';
import { quantiles, type Percentiles, type Quantiles } from './quantiles.js';

/** The running totals of a group; `stats()` turns them into what the report prints. */
export interface Metrics {
  requests: number;
  errors: number;
  status4xx: number;
  status5xx: number;
  cutClient: number;
  cutUpstream: number;
  cutGateway: number;
  aiRequests: number;
  estimated: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  cost: Sum;
  latency: Quantiles | undefined;
  llmLatency: Quantiles | undefined;
  ttft: Quantiles | undefined;
}

/**
 * Neumaier's compensated sum: a month of per-request costs like 0.065673 adds up to the cent-exact
 * total a plain float loop drifts from, in any order of the files.
 */
export interface Sum {
  value: number;
  compensation: number;
}

function addTo(sum: Sum, x: number): void {
  const t = sum.value + x;
  sum.compensation += Math.abs(sum.value) >= Math.abs(x) ? sum.value - t + x : x - t + sum.value;
  sum.value = t;
}

/** Rounded to 1e-10 USD: the float noise of the last digits (0.0021950999999999997) says nothing. */
const result = (sum: Sum) => Math.round((sum.value + sum.compensation) * 1e10) / 1e10;

/** `percentiles: false` for chart series that only stack sums: a sketch per consumer per hour would add up. */
export function newMetrics(percentiles: boolean): Metrics {
  return {
    requests: 0,
    errors: 0,
    status4xx: 0,
    status5xx: 0,
    cutClient: 0,
    cutUpstream: 0,
    cutGateway: 0,
    aiRequests: 0,
    estimated: 0,
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    total: 0,
    cost: { value: 0, compensation: 0 },
    latency: percentiles ? quantiles() : undefined,
    llmLatency: percentiles ? quantiles() : undefined,
    ttft: percentiles ? quantiles() : undefined,
  };
}

export function addRecord(m: Metrics, r: UsageRecord): void {
  m.requests++;
  if (isError(r)) m.errors++;
  if (r.status >= 400 && r.status < 500) m.status4xx++;
  if (r.status >= 500 && r.status < 600) m.status5xx++;
  if (r.cut === 'client') m.cutClient++;
  else if (r.cut === 'upstream') m.cutUpstream++;
  else if (r.cut === 'gateway') m.cutGateway++;
  if (r.ai) m.aiRequests++;
  if (r.estimated) m.estimated++;
  m.input += r.input;
  m.output += r.output;
  m.cacheRead += r.cacheRead;
  m.cacheWrite += r.cacheWrite;
  m.total += r.total;
  addTo(m.cost, r.cost);
  if (r.latency !== undefined) m.latency?.add(r.latency);
  if (r.llmLatency !== undefined) m.llmLatency?.add(r.llmLatency);
  if (r.ttft !== undefined) m.ttft?.add(r.ttft);
}

export function mergeMetrics(into: Metrics, from: Metrics): void {
  for (const key of ['requests', 'errors', 'status4xx', 'status5xx', 'cutClient', 'cutUpstream', 'cutGateway', 'aiRequests', 'estimated', 'input', 'output', 'cacheRead', 'cacheWrite', 'total'] as const) {
    into[key] += from[key];
  }
  addTo(into.cost, from.cost.value);
  addTo(into.cost, from.cost.compensation);
  if (from.latency) into.latency?.merge(from.latency);
  if (from.llmLatency) into.llmLatency?.merge(from.llmLatency);
  if (from.ttft) into.ttft?.merge(from.ttft);
}

/** A group's row in `--json` (snake_case like the log's fields); docs/usage-report.md defines each. */
export interface Stats {
  requests: number;
  errors: number;
  /** errors / requests, 0 without requests. */
  error_rate: number;
  status_4xx: number;
  status_5xx: number;
  cut: { client: number; upstream: number; gateway: number };
  ai_requests: number;
  estimated_requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  total_tokens: number;
  cost: number;
  latency_ms: Percentiles | null;
  llm_latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
}

export function stats(m: Metrics): Stats {
  return {
    requests: m.requests,
    errors: m.errors,
    error_rate: m.requests === 0 ? 0 : m.errors / m.requests,
    status_4xx: m.status4xx,
    status_5xx: m.status5xx,
    cut: { client: m.cutClient, upstream: m.cutUpstream, gateway: m.cutGateway },
    ai_requests: m.aiRequests,
    estimated_requests: m.estimated,
    input_tokens: m.input,
    output_tokens: m.output,
    cache_read_tokens: m.cacheRead,
    cache_write_tokens: m.cacheWrite,
    total_tokens: m.total,
    cost: result(m.cost),
    latency_ms: m.latency?.percentiles() ?? null,
    llm_latency_ms: m.llmLatency?.percentiles() ?? null,
    ttft_ms: m.ttft?.percentiles() ?? null,
  };
}
