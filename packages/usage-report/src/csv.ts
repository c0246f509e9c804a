/**
 * `--csv`: one row per group (RFC 4180, raw numbers, no total row: a spreadsheet's SUM would count it
 * twice); without --by, the one row is the total. Columns are --json's field names.
 */
import type { Stats } from './metrics.js';
import type { UsageReport } from './report.js';

const percentile = (p: { p50: number; p95: number } | null, q: 'p50' | 'p95') => (p === null ? '' : p[q]);

export const CSV_COLUMNS: [string, (s: Stats) => string | number][] = [
  ['requests', (s) => s.requests],
  ['errors', (s) => s.errors],
  ['error_rate', (s) => s.error_rate],
  ['status_4xx', (s) => s.status_4xx],
  ['status_5xx', (s) => s.status_5xx],
  ['cut_client', (s) => s.cut.client],
  ['cut_upstream', (s) => s.cut.upstream],
  ['cut_gateway', (s) => s.cut.gateway],
  ['ai_requests', (s) => s.ai_requests],
  ['estimated_requests', (s) => s.estimated_requests],
  ['input_tokens', (s) => s.input_tokens],
  ['output_tokens', (s) => s.output_tokens],
  ['cache_read_tokens', (s) => s.cache_read_tokens],
  ['cache_write_tokens', (s) => s.cache_write_tokens],
  ['total_tokens', (s) => s.total_tokens],
  ['cost', (s) => s.cost],
  ['latency_p50_ms', (s) => percentile(s.latency_ms, 'p50')],
  ['latency_p95_ms', (s) => percentile(s.latency_ms, 'p95')],
  ['llm_latency_p50_ms', (s) => percentile(s.llm_latency_ms, 'p50')],
  ['llm_latency_p95_ms', (s) => percentile(s.llm_latency_ms, 'p95')],
  ['ttft_p50_ms', (s) => percentile(s.ttft_ms, 'p50')],
  ['ttft_p95_ms', (s) => percentile(s.ttft_ms, 'p95')],
];

/** Quoted only when needed: a comma, quote, CR or LF inside (a consumer name can have any of them). */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(report: UsageReport): string {
  const header = [...report.by, ...CSV_COLUMNS.map(([name]) => name)];
  const rows: UsageReport['groups'] = report.by.length === 0 ? [report.total] : report.groups;
  const lines = [header, ...rows.map((row) => [...report.by.map((d) => row[d] ?? ''), ...CSV_COLUMNS.map(([, get]) => get(row))])];
  return lines.map((line) => line.map(field).join(',')).join('\r\n') + '\r\n';
}
