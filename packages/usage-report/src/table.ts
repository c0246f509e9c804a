/** The report as people read it in a terminal: a heading, one row per group, the total, the notes. */
import type { Stats } from './metrics.js';
import type { Percentiles } from './quantiles.js';
import type { Dimension, UsageReport } from './report.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });

export const formatCount = (n: number): string => integer.format(n);
/** Four decimals: a single request costs fractions of a cent. */
export const formatCost = (usd: number): string => `$${dollars.format(usd)}`;
export const formatPercent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
const ms = (p: Percentiles | null, q: keyof Percentiles) => (p === null ? '-' : formatCount(p[q]));

/** Column heading → cell, after the --by columns. */
export const TABLE_COLUMNS: [string, (s: Stats) => string][] = [
  ['REQUESTS', (s) => formatCount(s.requests)],
  ['ERRORS', (s) => formatCount(s.errors)],
  ['ERROR %', (s) => formatPercent(s.error_rate)],
  ['INPUT', (s) => formatCount(s.input_tokens)],
  ['OUTPUT', (s) => formatCount(s.output_tokens)],
  ['CACHE READ', (s) => formatCount(s.cache_read_tokens)],
  ['CACHE WRITE', (s) => formatCount(s.cache_write_tokens)],
  ['COST', (s) => formatCost(s.cost)],
  ['P50 MS', (s) => ms(s.latency_ms, 'p50')],
  ['P95 MS', (s) => ms(s.latency_ms, 'p95')],
  ['TTFT P50', (s) => ms(s.ttft_ms, 'p50')],
  ['TTFT P95', (s) => ms(s.ttft_ms, 'p95')],
];

export function formatTable(report: UsageReport): string {
  const lines = [heading(report), ''];
  const header = [...report.by.map((d) => d.toUpperCase()), ...TABLE_COLUMNS.map(([title]) => title)];
  const keyCells = (row: Partial<Record<Dimension, string>>) => report.by.map((d) => row[d] ?? '');
  const body = report.groups.map((row) => [...keyCells(row), ...TABLE_COLUMNS.map(([, cell]) => cell(row))]);
  const totalKey = report.by.length === 0 ? [] : ['TOTAL', ...report.by.slice(1).map(() => '')];
  const total = [...totalKey, ...TABLE_COLUMNS.map(([, cell]) => cell(report.total))];
  const rows = report.by.length === 0 ? [header, total] : [header, ...body, total];
  lines.push(...align(rows, report.by.length));
  lines.push('', ...DEFINITIONS, ...caveats(report));
  return `${lines.join('\n')}\n`;
}

function heading(report: UsageReport): string {
  const files = report.files.length === 1 ? report.files[0] : `${report.files.length} files`;
  const period = report.period === null ? 'no records' : `${report.period.first} … ${report.period.last}`;
  const by = report.by.length === 0 ? '' : `, by ${report.by.join(', ')}`;
  const filters = [
    report.filters.since && `since ${report.filters.since}`,
    report.filters.until && `until ${report.filters.until}`,
    report.filters.consumers.length > 0 && `consumer ${report.filters.consumers.join(', ')}`,
  ].filter(Boolean);
  return `gw usage: ${files}, ${period} (UTC)${by}${filters.length > 0 ? `; ${filters.join(', ')}` : ''}`;
}

/** Key columns left-aligned, numbers right-aligned, two spaces apart. */
function align(rows: string[][], keyColumns: number): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c < keyColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** What the numbers mean (docs/usage-report.md says it at length). */
export const DEFINITIONS = [
  'INPUT counts cache reads and writes (prompt_tokens); P50/P95 MS: latencies.request; TTFT: time to first token; costs in USD.',
  'ERRORS: status >= 400, a cut response (cut.by client, upstream or gateway), or an ai-proxy error.',
];

/** What was estimated or not counted: a total that silently skipped lines is a wrong total. */
export function caveats(report: UsageReport): string[] {
  const out: string[] = [];
  const { total, lines } = report;
  if (total.estimated_requests > 0) {
    const n = total.estimated_requests;
    out.push(`${formatCount(n)} ${n === 1 ? "request's answer" : "requests' answers"} ended before the final usage: ${n === 1 ? 'its' : 'their'} tokens include gw's estimates (usage.*_estimated).`);
  }
  if (lines.filtered_out > 0) out.push(`${formatCount(lines.filtered_out)} records outside the filters were left out.`);
  out.push(...skippedNotes(report));
  return out;
}

/** The skipped lines and unreadable files, one line each; also what the CLI prints to stderr under --json/--csv. */
export function skippedNotes(report: UsageReport): string[] {
  const out: string[] = [];
  const { skipped, examples } = report.lines;
  const kinds = (Object.keys(skipped) as (keyof typeof skipped)[]).filter((kind) => skipped[kind] > 0);
  if (kinds.length > 0) {
    const counts = kinds.map((kind) => `${formatCount(skipped[kind])} ${kind}`).join(', ');
    const where = examples.map((e) => `${e.file}:${e.line} (${e.kind})`).join(', ');
    const more = examples.length < kinds.reduce((n, kind) => n + skipped[kind], 0) ? ', …' : '';
    out.push(`skipped lines: ${counts}: ${where}${more}`);
    if (skipped.truncated > 0) out.push('(a truncated last line is normal while gw is still writing the file)');
  }
  for (const problem of report.problems) out.push(`${problem.file}: read stopped after line ${problem.after_line}: ${problem.message}`);
  return out;
}
