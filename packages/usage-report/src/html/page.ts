/**
 * `--html`: one self-contained page. Chart.js (its UMD build, read from the installed package), the
 * report's data and the drawing script are inlined, and the page's Content-Security-Policy forbids every
 * fetch, so it opens the same from a mail attachment, a wiki upload or an offline laptop. Text from the
 * log (consumer, model and route names) is escaped in HTML and drawn by Chart.js on a canvas.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Stats } from '../metrics.js';
import type { Dimension, UsageReport } from '../report.js';
import { caveats, DEFINITIONS, formatCost, formatCount, formatPercent, TABLE_COLUMNS } from '../table.js';
import { drawReport } from './draw.js';

let chartJs: string | undefined;

/** chart.js exports no path to its UMD file, so it is found beside the entry it does export. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script>: `<` escaped, so no value can close the element (`</script>` in a consumer name). */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
/** An inline script's text must not contain `</script` either (Chart.js's build does not; checked anyway). */
const scriptText = (text: string) => text.replace(/<\/script/gi, '<\\/script');

export function renderHtml(report: UsageReport, generatedAt = new Date()): string {
  const charts = report.charts;
  if (charts === undefined) throw new Error('renderHtml needs a report built with charts: true');
  const period = report.period === null ? 'no records' : `${report.period.first} … ${report.period.last} (UTC)`;
  const files = report.files.map(escapeHtml).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gw usage report: ${escapeHtml(period)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>gw usage report</h1>
  <p>${escapeHtml(period)} · ${formatCount(report.total.requests)} requests from ${files}${filterText(report)}</p>
  <p class="muted">Generated ${escapeHtml(generatedAt.toISOString())}. Charts by ${charts.unit === 'hour' ? 'hour' : 'day'}, UTC.</p>
</header>
${tiles(report.total)}
${skippedBox(report)}
<section class="grid">
  ${chartBox('cost-by-consumer', 'Cost over time, by consumer', 'USD per period, stacked; the largest spenders and the rest as other')}
  ${chartBox('cost-by-model', 'Cost over time, by model', 'USD per period, stacked by ai.proxy.meta.request_model')}
  ${chartBox('tokens-by-consumer', 'Tokens over time, by consumer', 'total_tokens (input, cache and output) per period, stacked')}
  ${chartBox('tokens-by-model', 'Tokens over time, by model', 'total_tokens per period, stacked')}
  ${chartBox('top-consumers', 'Top consumers by cost', `the ${charts.topConsumers.length} largest; hover for requests, tokens and errors`)}
  ${chartBox('errors', 'Errors and error rate', 'status ≥ 400, cut responses and ai-proxy errors, per period')}
  ${chartBox('latency', 'Latency percentiles', 'p50 and p95 of latencies.request and of time to first token, per period, ms')}
</section>
${groupTable(report)}
<footer class="muted">${DEFINITIONS.map(escapeHtml).join('<br>')}<br>Percentiles are nearest-rank: exact for a group or period of up to 256 requests, within 1% past that (DDSketch).</footer>
<script type="application/json" id="gw-usage-data">${scriptJson(charts)}</script>
<script>${scriptText(chartJsSource())}</script>
<script>(${scriptText(String(drawReport))})(window.Chart, JSON.parse(document.getElementById('gw-usage-data').textContent));</script>
</body>
</html>
`;
}

function filterText(report: UsageReport): string {
  const { since, until, consumers } = report.filters;
  const parts = [since && `since ${since}`, until && `until ${until}`, consumers.length > 0 && `consumer ${consumers.join(', ')}`].filter(
    (p): p is string => typeof p === 'string',
  );
  return parts.length === 0 ? '' : `; ${escapeHtml(parts.join(', '))}`;
}

/** The totals; `data-value` carries the raw number (tests, scrapers), the text is for people. */
function tiles(total: Stats): string {
  const ms = (p: { p50: number; p95: number } | null) => (p === null ? '-' : `${formatCount(p.p50)} / ${formatCount(p.p95)} ms`);
  const tile = (metric: string, label: string, value: number | string, shown: string) =>
    `<div class="tile" data-metric="${metric}" data-value="${escapeHtml(String(value))}"><span>${label}</span><strong>${escapeHtml(shown)}</strong></div>`;
  return `<section class="tiles">
  ${tile('requests', 'Requests', total.requests, formatCount(total.requests))}
  ${tile('errors', 'Errors', total.errors, `${formatCount(total.errors)} (${formatPercent(total.error_rate)})`)}
  ${tile('input_tokens', 'Input tokens', total.input_tokens, formatCount(total.input_tokens))}
  ${tile('output_tokens', 'Output tokens', total.output_tokens, formatCount(total.output_tokens))}
  ${tile('cache_read_tokens', 'Cache read', total.cache_read_tokens, formatCount(total.cache_read_tokens))}
  ${tile('cache_write_tokens', 'Cache write', total.cache_write_tokens, formatCount(total.cache_write_tokens))}
  ${tile('cost', 'Cost', total.cost, formatCost(total.cost))}
  ${tile('latency', 'Latency p50 / p95', JSON.stringify(total.latency_ms), ms(total.latency_ms))}
  ${tile('ttft', 'TTFT p50 / p95', JSON.stringify(total.ttft_ms), ms(total.ttft_ms))}
</section>`;
}

function skippedBox(report: UsageReport): string {
  const lines = caveats(report);
  if (lines.length === 0) return '';
  return `<section class="note" id="skipped">${lines.map(escapeHtml).join('<br>')}</section>`;
}

const chartBox = (id: string, title: string, caption: string) =>
  `<figure><figcaption><h2>${escapeHtml(title)}</h2><p class="muted">${escapeHtml(caption)}</p></figcaption><div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(title)}"></canvas></div></figure>`;

function groupTable(report: UsageReport): string {
  if (report.by.length === 0) return '';
  const head = [...report.by.map((d) => d.toUpperCase()), ...TABLE_COLUMNS.map(([title]) => title)];
  const row = (cells: string[], cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c, i) => `<td${i >= report.by.length ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
  const keys = (g: Partial<Record<Dimension, string>>) => report.by.map((d) => g[d] ?? '');
  const body = report.groups.map((g) => row([...keys(g), ...TABLE_COLUMNS.map(([, cell]) => cell(g))]));
  const total = row(['TOTAL', ...report.by.slice(1).map(() => ''), ...TABLE_COLUMNS.map(([, cell]) => cell(report.total))], 'total');
  return `<section><h2>By ${escapeHtml(report.by.join(', '))}</h2><table id="groups"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}${total}</tbody></table></section>`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 0; }
.muted { color: #6b7280; font-size: 12px; margin: 2px 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
.tile { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.tile span { display: block; color: #6b7280; font-size: 12px; } .tile strong { font-size: 18px; }
.note { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px; }
.chart { position: relative; height: 280px; }
table { border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; white-space: nowrap; }
td.n { text-align: right; } tr.total td { font-weight: 600; border-top: 2px solid #9ca3af; }
footer { margin-top: 24px; }
`;
