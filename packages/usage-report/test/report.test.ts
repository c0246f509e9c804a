/**
 * The report in-process over hand-written records: the definitions on shapes other writers produce
 * (Kong before 3.10, Kong without gw's cache fields), errors, ordering, the chart series and the
 * formats' escaping. The totals over real gateway traffic are test/integration/usage-report.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUsageReport, formatCsv, formatTable, renderHtml, toUsageRecord, type UsageQuery } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-usage-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const T0 = Date.parse('2026-11-02T10:15:00Z');
const HOUR = 3600_000;

interface Spec {
  at?: number;
  consumer?: Record<string, string> | null;
  status?: number;
  cost?: number;
  prompt?: number;
  completion?: number;
  model?: string;
  latency?: number;
  extra?: Record<string, unknown>;
}

/** A gw record with only what the report reads. */
function record({ at = T0, consumer = { id: 'c-1', username: 'alice' }, status = 200, cost = 0.01, prompt = 100, completion = 10, model = 'm-1', latency = 50, extra = {} }: Spec) {
  return {
    request: { id: 'r' },
    response: { status },
    latencies: { kong: 1, proxy: 2, request: latency, receive: 0 },
    route: { id: 'route-1', name: 'chat' },
    consumer,
    started_at: at,
    ai: { proxy: { meta: { request_model: model, llm_latency: latency - 5 }, usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, cost, time_to_first_token: 7 } } },
    ...extra,
  };
}

/** `newline: false` leaves the last line unterminated, as in a file gw is still writing. */
async function report(lines: unknown[], query: Omit<UsageQuery, 'files'> = {}, newline = true) {
  const file = join(dir, `log-${files++}.json`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + (newline ? '\n' : ''));
  return buildUsageReport({ files: [file], ...query });
}

describe('what a record counts as', () => {
  it("reads Kong's own records: ai.ai-proxy before 3.10, cached_tokens without gw's cache fields, no total_tokens", () => {
    const kong = {
      started_at: T0,
      response: { status: 200 },
      latencies: { request: 1542 },
      consumer: { id: 'c-9', custom_id: 'ops' },
      ai: { 'ai-proxy': { meta: { request_model: 'anthropic.claude-v2', llm_latency: 1542 }, usage: { prompt_tokens: 11184, completion_tokens: 124, cost: 0, prompt_tokens_details: { cached_tokens: 900 } } } },
    };
    expect(toUsageRecord(kong)).toMatchObject({ consumer: 'ops', model: 'anthropic.claude-v2', input: 11184, output: 124, total: 11308, cacheRead: 900, cacheWrite: 0, ttft: undefined, llmLatency: 1542 });
  });

  it('takes a value of the wrong type as absent, never as a number', () => {
    const odd = record({ extra: { latencies: { request: '12' } } });
    (odd.ai.proxy.usage as Record<string, unknown>).prompt_tokens = '100';
    (odd.ai.proxy.usage as Record<string, unknown>).cost = null;
    expect(toUsageRecord(odd)).toMatchObject({ input: 0, cost: 0, latency: undefined });
  });

  it('is not a record without a numeric started_at, or when not an object', () => {
    expect(toUsageRecord({ ...record({}), started_at: '2026-11-02' })).toBe('no started_at');
    expect(toUsageRecord([record({})])).toBe('not an object');
    expect(toUsageRecord(null)).toBe('not an object');
  });
});

describe('buildUsageReport', () => {
  it('counts as errors: status >= 400 (499 too), any cut, an ai-proxy error behind a 200; not a whole 200 or a 3xx', async () => {
    const r = await report([
      record({}),
      record({ status: 304 }),
      record({ status: 499, extra: { client_aborted: true } }),
      record({ extra: { cut: { by: 'client', reason: 'disconnected', at: 5, bytes: 100 } } }),
      record({ extra: { cut: { by: 'gateway', reason: 'shutdown', at: 5, bytes: 100 } } }),
      record({ status: 502 }),
      { ...record({}), ai: { proxy: { meta: { request_model: 'm-1' }, usage: { prompt_tokens: 3 }, error: { status: 500, type: 'api_error' } } } },
    ]);
    expect(r.total).toMatchObject({ requests: 7, errors: 5, status_4xx: 1, status_5xx: 1, cut: { client: 1, upstream: 0, gateway: 1 } });
    expect(r.total.error_rate).toBeCloseTo(5 / 7, 12);
  });

  it('names a consumer by username, else custom_id, else id; (none) without one', async () => {
    const r = await report(
      [record({ consumer: { id: 'c-1', username: 'alice', custom_id: 'a' } }), record({ consumer: { id: 'c-2', custom_id: 'ci' } }), record({ consumer: { id: 'c-3' } }), record({ consumer: null })],
      { by: ['consumer'] },
    );
    expect(r.groups.map((g) => g.consumer).sort()).toEqual(['(none)', 'alice', 'c-3', 'ci']);
  });

  it('--by day,consumer: days oldest first, consumers by spend within the day, ties by name', async () => {
    const day = 24 * HOUR;
    const r = await report(
      [
        record({ at: T0 + day, consumer: { id: '1', username: 'zed' }, cost: 1 }),
        record({ at: T0, consumer: { id: '1', username: 'zed' }, cost: 1 }),
        record({ at: T0, consumer: { id: '2', username: 'amy' }, cost: 5 }),
        record({ at: T0 + day, consumer: { id: '2', username: 'amy' }, cost: 0.5 }),
        record({ at: T0 + day, consumer: { id: '3', username: 'bo' }, cost: 1 }),
      ],
      { by: ['day', 'consumer'] },
    );
    expect(r.groups.map((g) => `${g.day} ${g.consumer}`)).toEqual(['2026-11-02 amy', '2026-11-02 zed', '2026-11-03 bo', '2026-11-03 zed', '2026-11-03 amy']);
  });

  it('adds 100,000 small costs to the exact total (compensated sum)', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => record({ at: T0 + i, cost: 0.000073 }));
    const r = await report(lines);
    expect(r.total.cost).toBe(7.3);
  });

  it('chart series: hourly while the records span at most 3 days, every period present, stacks adding up to the totals', async () => {
    const lines = [record({ at: T0, cost: 1, consumer: { id: '1', username: 'a' } }), record({ at: T0 + 5 * HOUR, cost: 2, consumer: { id: '2', username: 'b' }, status: 500 })];
    const r = await report(lines, { charts: true });
    const c = r.charts!;
    expect(c.unit).toBe('hour');
    expect(c.periods).toEqual(['2026-11-02T10:00Z', '2026-11-02T11:00Z', '2026-11-02T12:00Z', '2026-11-02T13:00Z', '2026-11-02T14:00Z', '2026-11-02T15:00Z']);
    expect(c.cost).toEqual([1, 0, 0, 0, 0, 2]);
    expect(c.errorRate).toEqual([0, null, null, null, null, 1]);
    expect(c.latency.p50).toEqual([50, null, null, null, null, 50]);
    expect(c.costByConsumer).toEqual([
      { name: 'b', values: [0, 0, 0, 0, 0, 2] },
      { name: 'a', values: [1, 0, 0, 0, 0, 0] },
    ]);
  });

  it('chart series: hours fold into days once the span passes 3 days; percentiles merge across the hours', async () => {
    const lines = [
      record({ at: T0, latency: 10 }),
      record({ at: T0 + HOUR, latency: 20 }),
      record({ at: T0 + 2 * HOUR, latency: 30 }),
      record({ at: T0 + 4 * 24 * HOUR, latency: 1000 }),
    ];
    const r = await report(lines, { charts: true });
    const c = r.charts!;
    expect(c.unit).toBe('day');
    expect(c.periods).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
    expect(c.requests).toEqual([3, 0, 0, 0, 1]);
    expect(c.latency.p50[0]).toBe(20);
    expect(c.latency.p95[0]).toBe(30); // nearest rank: the smallest value 95% of the three are at or below
  });

  it('chart series: beyond 8 names the rest is one "other (n)" series; every period still adds up', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => record({ at: T0 + (i % 3) * HOUR, cost: i + 1, consumer: { id: String(i), username: `user-${String(i).padStart(2, '0')}` } }));
    const r = await report(lines, { charts: true });
    const series = r.charts!.costByConsumer;
    expect(series.map((s) => s.name)).toEqual(['user-11', 'user-10', 'user-09', 'user-08', 'user-07', 'user-06', 'user-05', 'other (5)']);
    expect(series.at(-1)!.values.reduce((a, b) => a + b)).toBe(1 + 2 + 3 + 4 + 5);
    r.charts!.cost.forEach((total, period) => expect(series.reduce((n, s) => n + s.values[period]!, 0)).toBeCloseTo(total, 12));
    expect(r.charts!.topConsumers.map((c) => c.name)).toEqual(['user-11', 'user-10', 'user-09', 'user-08', 'user-07', 'user-06', 'user-05', 'user-04', 'user-03', 'user-02']);
  });

  it('a stray timestamp far away does not make millions of empty periods', async () => {
    const r = await report([record({ at: 0 }), record({ at: T0 })], { charts: true });
    expect(r.charts!.periods).toEqual(['1970-01-01', '2026-11-02']);
  });
});

describe('formats', () => {
  const evil = 'x","=1+1\r\n</script><script>alert(1)</script>';

  it('CSV quotes a name with a comma, quote or newline (RFC 4180) and has no total row with --by', async () => {
    const r = await report([record({ consumer: { id: '1', username: evil } }), record({ consumer: { id: '2', username: 'plain' }, cost: 0 })], { by: ['consumer'] });
    const csv = formatCsv(r);
    expect(csv.split('\r\n')[1]).toBe('"x"",""=1+1'); // the name's own CR LF stays inside its quotes
    expect(csv).toContain(`\r\n"x"",""=1+1\r\n</script><script>alert(1)</script>",1,0,`);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).not.toContain('TOTAL');
    const withoutBy = formatCsv(await report([record({})]));
    expect(withoutBy.split('\r\n')[1]!.split(',').slice(0, 2)).toEqual(['1', '0']);
  });

  it('the table shows "-" for percentiles without values and says what was skipped', async () => {
    const r = await report(['not json', { ...record({}), latencies: {}, ai: undefined }, '{"cut'], {}, false);
    const table = formatTable(r);
    const [header, total] = table.split('\n').slice(2, 4);
    expect(header!.trim().split(/\s{2,}/)).toContain('TTFT P95');
    expect(total!.trim().split(/\s{2,}/).slice(-4)).toEqual(['-', '-', '-', '-']);
    expect(table).toContain(`skipped lines: 1 malformed, 1 truncated: ${r.files[0]}:1 (malformed), ${r.files[0]}:3 (truncated)`);
  });

  it('HTML: names from the log are escaped; the data block cannot close its script element', async () => {
    const r = await report([record({ consumer: { id: '1', username: evil }, model: '<img src=x onerror=alert(1)>' })], { by: ['consumer', 'model'], charts: true });
    const html = renderHtml(r, new Date(T0));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script/g)).toHaveLength(3); // the data, Chart.js, the drawing
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\bsrc="https?:|\bhref="https?:/);
    expect(html).not.toContain('__name('); // the drawing script is a function's source: no bundler helpers in it
  });
});
