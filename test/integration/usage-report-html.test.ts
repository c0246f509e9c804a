/**
 * `gw usage --html` opened in a real headless Chromium (the OS package scripts/test-setup.mjs installs,
 * driven by playwright-core): the page loads nothing from anywhere, draws every chart, and what the
 * charts hold adds up to the sums computed here with JSON.parse over the same log lines. A screenshot
 * and the page are kept in .artifacts/usage-report/ (git-ignored) to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { locate, NEEDS } from '../../scripts/test-setup.mjs';
import { repoRoot, runGw } from '../../packages/cli/test/support/gw-process.js';
import { consumerOf, modelOf, nearestRank, recordTraffic, records, sums, writeLogSet, type LogSet } from './support/usage-traffic.js';
import type { LogLine } from './support/gateway.js';

const ARTIFACTS = join(repoRoot, '.artifacts/usage-report');
/** A consumer whose name is markup: the page must show it as text and run none of it. */
const EVIL = '</script><img src=x onerror="alert(1)">';

interface DrawnChart {
  labels: string[];
  datasets: { label: string; data: (number | null)[]; type?: string }[];
  /** Elements Chart.js laid out with finite coordinates (not skipped), per dataset. */
  laidOut: number[];
  /** Canvas pixels that are not transparent: something was painted. */
  inked: number;
  area: number;
}

let set: LogSet;
let all: LogLine[];
let html: string;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const pageErrors: string[] = [];
const dialogs: string[] = [];
let charts: Record<string, DrawnChart>;

beforeAll(async () => {
  const lines = await recordTraffic();
  set = writeLogSet(lines);
  // A hand-written edge: one of the real lines again, from a consumer named like markup.
  const edge = JSON.parse(lines.find((l) => JSON.parse(l).ai?.proxy?.usage?.cost > 0)!) as LogLine;
  edge.consumer = { id: 'c-evil', username: EVIL };
  const edgeFile = join(set.dir, 'edge.json');
  writeFileSync(edgeFile, `${JSON.stringify(edge)}\n`);
  set.files.push(edgeFile);
  set.linesByFile.set(edgeFile, [JSON.stringify(edge)]);
  all = records(set);

  mkdirSync(ARTIFACTS, { recursive: true });
  html = join(set.dir, 'report.html');
  const result = await runGw(['usage', '--by', 'consumer,model', '--html', html, ...set.files]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain(`gw usage: wrote ${html}`);
  copyFileSync(html, join(ARTIFACTS, 'report.html'));

  const executablePath = locate(NEEDS.find((need) => need.name === 'Chromium')!);
  if (!executablePath) throw new Error('Chromium is missing: run `node scripts/test-setup.mjs` (pnpm test does)');
  browser = await chromium.launch({ executablePath, headless: true });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => (message.type() === 'error' ? pageErrors.push(message.text()) : undefined));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-ready]', { timeout: 15_000 });
  charts = await page.evaluate(() => {
    const out: Record<string, unknown> = {};
    const Chart = (window as unknown as { Chart: typeof import('chart.js').Chart }).Chart;
    for (const canvas of document.querySelectorAll('canvas')) {
      const chart = Chart.getChart(canvas)!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
      out[canvas.id] = {
        labels: chart.data.labels,
        datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data, type: (d as { type?: string }).type })),
        // A null value (a period without requests) is an element Chart.js marks `skip`: a gap in the line.
        laidOut: chart.data.datasets.map(
          (_, i) => chart.getDatasetMeta(i).data.filter((e) => !(e as { skip?: boolean }).skip && Number.isFinite(e.x) && Number.isFinite(e.y)).length,
        ),
        inked,
        area: canvas.width * canvas.height,
      };
    }
    return out;
  }) as Record<string, DrawnChart>;
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const total = (chart: DrawnChart) => chart.datasets.reduce((n, d) => n + d.data.reduce<number>((m, v) => m + (v ?? 0), 0), 0);
const hourOf = (l: LogLine) => `${new Date(l.started_at).toISOString().slice(0, 13)}:00Z`;

describe('gw usage --html in headless Chromium', () => {
  it('is one file: nothing but the page itself is requested, no script error, no markup from the log runs', () => {
    expect(requested).toEqual([pathToFileURL(html).href]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(readFileSync(html, 'utf8')).toContain('&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  it('draws every chart: each dataset laid out for every period, pixels on every canvas', () => {
    expect(Object.keys(charts).sort()).toEqual(['cost-by-consumer', 'cost-by-model', 'errors', 'latency', 'tokens-by-consumer', 'tokens-by-model', 'top-consumers']);
    for (const [id, chart] of Object.entries(charts)) {
      expect(chart.labels.length, id).toBeGreaterThan(0);
      expect(chart.inked, `${id} painted`).toBeGreaterThan(chart.area * 0.01);
      chart.datasets.forEach((d, i) => {
        const points = d.data.filter((v) => v !== null).length;
        expect(chart.laidOut[i], `${id} / ${d.label}`).toBe(points);
      });
    }
  });

  it('cost and tokens over time add up to the sums over the log, per consumer and per model', () => {
    const expected = sums(all);
    const hours = [...new Set(all.map(hourOf))].sort();
    for (const id of ['cost-by-consumer', 'cost-by-model', 'tokens-by-consumer', 'tokens-by-model']) {
      const chart = charts[id]!;
      expect(chart.labels[0], id).toBe(hours[0]);
      expect(chart.labels.at(-1), id).toBe(hours.at(-1));
      if (id.startsWith('cost')) expect(total(chart), id).toBeCloseTo(expected.cost, 9);
      else expect(total(chart), id).toBe(expected.total_tokens);
      const keyOf = id.endsWith('consumer') ? consumerOf : modelOf;
      for (const dataset of chart.datasets) {
        const mine = sums(all.filter((l) => keyOf(l) === dataset.label));
        const sum = dataset.data.reduce<number>((n, v) => n + (v ?? 0), 0);
        if (id.startsWith('cost')) expect(sum, `${id} ${dataset.label}`).toBeCloseTo(mine.cost, 9);
        else expect(sum, `${id} ${dataset.label}`).toBe(mine.total_tokens);
      }
      expect(chart.datasets.map((d) => d.label).sort()).toEqual([...new Set(all.map(keyOf))].sort());
    }
    expect(charts['cost-by-consumer']!.datasets.map((d) => d.label)).toContain(EVIL); // drawn on the canvas as text
  });

  it('top consumers: each bar is that consumer’s cost, biggest first', () => {
    const chart = charts['top-consumers']!;
    const consumers = [...new Set(all.map(consumerOf))];
    const costs = consumers.map((name) => ({ name, cost: sums(all.filter((l) => consumerOf(l) === name)).cost }));
    costs.sort((a, b) => b.cost - a.cost);
    expect(chart.labels).toEqual(costs.map((c) => c.name));
    chart.datasets[0]!.data.forEach((value, i) => expect(value, chart.labels[i]).toBeCloseTo(costs[i]!.cost, 9));
  });

  it('errors and error rate per period, latency percentiles per period', () => {
    const chart = charts.errors!;
    const byHour = new Map<string, LogLine[]>();
    for (const l of all) byHour.set(hourOf(l), [...(byHour.get(hourOf(l)) ?? []), l]);
    const [errors, rate] = chart.datasets;
    expect(errors!.data.reduce<number>((n, v) => n + (v ?? 0), 0)).toBe(sums(all).errors);
    chart.labels.forEach((hour, i) => {
      const mine = byHour.get(hour);
      if (mine === undefined) return expect(rate!.data[i], hour).toBeNull();
      expect(errors!.data[i], hour).toBe(sums(mine).errors);
      expect(rate!.data[i]!, hour).toBeCloseTo((100 * sums(mine).errors) / mine.length, 9);
    });

    const latency = charts.latency!;
    const series = Object.fromEntries(latency.datasets.map((d) => [d.label, d.data]));
    latency.labels.forEach((hour, i) => {
      const mine = byHour.get(hour);
      if (mine === undefined) return expect(series['request p50']![i], hour).toBeNull();
      const request = mine.map((l) => l.latencies.request as number);
      // A period's few hundred values are kept exactly: the percentiles are exact here.
      expect(series['request p50']![i], `${hour} p50`).toBe(nearestRank(request, 0.5));
      expect(series['request p95']![i], `${hour} p95`).toBe(nearestRank(request, 0.95));
      const ttft = mine.map((l) => l.ai?.proxy?.usage?.time_to_first_token).filter((v): v is number => typeof v === 'number');
      expect(series['TTFT p95']![i], `${hour} ttft p95`).toBe(ttft.length === 0 ? null : nearestRank(ttft, 0.95));
    });
  });

  it('the totals at the top and the table by consumer and model say the same', async () => {
    const expected = sums(all);
    const tiles = await page.$$eval('[data-metric]', (elements) => Object.fromEntries(elements.map((e) => [e.getAttribute('data-metric'), e.getAttribute('data-value')])));
    expect(Number(tiles.requests)).toBe(expected.requests);
    expect(Number(tiles.errors)).toBe(expected.errors);
    expect(Number(tiles.input_tokens)).toBe(expected.input_tokens);
    expect(Number(tiles.cache_read_tokens)).toBe(expected.cache_read_tokens);
    expect(Number(tiles.cost)).toBeCloseTo(expected.cost, 9);
    const rows = await page.$$eval('#groups tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(new Set(all.map((l) => `${consumerOf(l)} ${modelOf(l)}`)).size + 1);
    expect(rows.at(-1)![0]).toBe('TOTAL');
    expect(rows.map((r) => r[0])).toContain(EVIL);
    expect(await page.textContent('#skipped')).toContain('skipped lines: 2 malformed, 1 truncated, 2 invalid');
  });

  it('leaves a screenshot to look at', () => {
    const png = readFileSync(join(ARTIFACTS, 'report.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });
});
