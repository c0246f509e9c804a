/**
 * `gw usage` (the built binary) over real file-log lines: traffic through the real gateway to the Bedrock
 * emulator, laid out as a rotated set (a live file with a half-written last line, a rotated one with
 * damaged lines, an older gzipped one). Every total, group and filter is checked against sums computed
 * here with JSON.parse alone (support/usage-traffic.ts), never against the report's own code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gwBin, runGw, type RunResult } from '../../packages/cli/test/support/gw-process.js';
import {
  HAIKU,
  SONNET,
  consumerOf,
  dayOf,
  modelOf,
  nearestRank,
  recordTraffic,
  records,
  sums,
  writeLogSet,
  type LogSet,
  type Sums,
} from './support/usage-traffic.js';
import type { LogLine } from './support/gateway.js';

let set: LogSet;
let all: LogLine[];

beforeAll(async () => {
  set = writeLogSet(await recordTraffic());
  all = records(set);
}, 60_000);

/** The oracle's fields of a report row (cost compared to 1e-9: the report adds with compensation). */
function expectSums(row: Record<string, unknown>, expected: Sums, what: string) {
  const { cost, ...counts } = expected;
  const picked = Object.fromEntries(Object.keys(counts).map((k) => [k, row[k]]));
  expect(picked, what).toEqual(counts);
  expect(row.cost as number, `${what}: cost`).toBeCloseTo(cost, 9);
}

/** gw with bytes on a real pipe as its standard input (runGw's input is text). */
function gwWithStdin(args: string[], input: Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gwBin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function usageJson(args: string[]) {
  const result = await runGw(['usage', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return { report: JSON.parse(result.stdout) as Record<string, any>, stderr: result.stderr };
}

describe('gw usage over real file-log lines', () => {
  it('the recorded traffic has what the report must tell apart', () => {
    expect(new Set(all.map(consumerOf))).toEqual(new Set(['alice', 'bob', 'ci-bot', '(none)']));
    expect(new Set(all.map(modelOf))).toEqual(new Set([HAIKU, SONNET, '(none)']));
    const statuses = new Set(all.map((l) => l.response.status));
    for (const status of [200, 400, 401, 429]) expect(statuses, String(status)).toContain(status);
    expect([...statuses].some((s) => s >= 500)).toBe(true);
    expect(all.filter((l) => l.cut?.by === 'client')).toHaveLength(1);
    expect(all.filter((l) => l.cut?.by === 'upstream')).toHaveLength(1);
    expect(all.some((l) => l.response.status === 200 && !l.cut && l.ai?.proxy?.error)).toBe(true); // exception mid-stream
    expect(all.some((l) => l.ai?.proxy?.usage?.completion_tokens_estimated)).toBe(true);
    const total = sums(all);
    expect(total.cache_read_tokens).toBeGreaterThan(0);
    expect(total.cache_write_tokens).toBeGreaterThan(0);
    expect(total.cost).toBeGreaterThan(0);
    expect(new Set(all.map(dayOf)).size).toBe(3);
  });

  it('totals equal the sums over the log; damaged lines are counted, located and not fatal', async () => {
    const { report, stderr } = await usageJson(set.files);
    expectSums(report.total, sums(all), 'total');
    const read = [...set.linesByFile.values()].flat().filter((l) => l.trim() !== '').length;
    expect(report.lines).toMatchObject({
      read,
      records: all.length,
      filtered_out: 0,
      skipped: { ...set.planted, oversize: 0 },
    });
    const [live, rotated] = set.files;
    expect(report.lines.examples).toEqual([
      { file: live, line: set.linesByFile.get(live!)!.length, kind: 'truncated' },
      { file: rotated, line: 3, kind: 'malformed' },
      { file: rotated, line: 6, kind: 'malformed' },
      { file: rotated, line: 7, kind: 'invalid' },
      { file: rotated, line: 8, kind: 'invalid' },
    ]);
    expect(report.problems).toEqual([]);
    expect(report.total.cut).toEqual({ client: 1, upstream: 1, gateway: 0 });
    expect(report.total.estimated_requests).toBe(all.filter((l) => l.ai?.proxy?.usage?.completion_tokens_estimated || l.ai?.proxy?.usage?.prompt_tokens_estimated).length);
    expect(report.total.ai_requests).toBe(all.filter((l) => l.ai?.proxy).length);
    // --json keeps stdout JSON; the skipped lines are said on stderr too.
    expect(stderr).toContain('skipped lines: 2 malformed, 1 truncated, 2 invalid');
    expect(stderr).toContain(`${rotated}:3 (malformed)`);
  });

  it('--by consumer,model: every row is the sums over its records, biggest spender first', async () => {
    const { report } = await usageJson(['--by', 'consumer,model', ...set.files]);
    const keys = new Set(all.map((l) => `${consumerOf(l)} ${modelOf(l)}`));
    expect(report.groups).toHaveLength(keys.size);
    for (const row of report.groups) {
      const mine = all.filter((l) => consumerOf(l) === row.consumer && modelOf(l) === row.model);
      expectSums(row, sums(mine), `${row.consumer} ${row.model}`);
    }
    const spend = (consumer: string) => sums(all.filter((l) => consumerOf(l) === consumer)).cost;
    const order = [...new Set(report.groups.map((r: { consumer: string }) => r.consumer))] as string[];
    expect(order).toEqual([...order].sort((a, b) => spend(b) - spend(a)));
    expectSums(report.total, sums(all), 'total');
  });

  it('--by day, route with --since/--until: UTC days, the bounds inclusive and exclusive', async () => {
    const days = [...new Set(all.map(dayOf))].sort();
    const { report } = await usageJson(['--by', 'day,route', '--since', days[1]!, '--until', days[1]!, ...set.files]);
    const inDay = all.filter((l) => dayOf(l) === days[1]);
    expectSums(report.total, sums(inDay), 'the middle day');
    expect(report.lines.filtered_out).toBe(all.length - inDay.length);
    expect(report.filters).toEqual({ since: `${days[1]}T00:00:00Z`, until: `${days[2]}T00:00:00Z`, consumers: [] });
    for (const row of report.groups) {
      expect(row.day).toBe(days[1]);
      expectSums(row, sums(inDay.filter((l) => (l.route?.name ?? '(none)') === row.route)), `route ${row.route}`);
    }
    // A date-time bound is exact to the millisecond: since the last record's start keeps that one record.
    const latest = all.reduce((a, b) => (b.started_at > a.started_at ? b : a));
    const since = new Date(latest.started_at).toISOString();
    const { report: last } = await usageJson(['--since', since, ...set.files]);
    expect(last.total.requests).toBe(all.filter((l) => l.started_at >= latest.started_at).length);
  });

  it('--consumer matches a username, custom_id or id, and can be repeated', async () => {
    const alice = all.filter((l) => l.consumer?.username === 'alice');
    for (const name of ['alice', 'team-a', alice[0]!.consumer.id]) {
      const { report } = await usageJson(['--consumer', name, ...set.files]);
      expectSums(report.total, sums(alice), `--consumer ${name}`);
    }
    const { report } = await usageJson(['--consumer', 'alice', '--consumer', 'ci-bot', '--by', 'consumer', ...set.files]);
    expect(report.groups.map((r: { consumer: string }) => r.consumer).sort()).toEqual(['alice', 'ci-bot']);
    expectSums(report.total, sums(all.filter((l) => ['alice', 'ci-bot'].includes(consumerOf(l)))), 'alice and ci-bot');
  });

  it('p50/p95 of latencies.request and of time to first token are the nearest-rank values within 1%', async () => {
    const { report } = await usageJson(set.files);
    const check = (values: number[], reported: { p50: number; p95: number }, what: string) => {
      for (const q of ['p50', 'p95'] as const) {
        const exact = nearestRank(values, q === 'p50' ? 0.5 : 0.95);
        expect(Math.abs(reported[q] - exact), `${what} ${q}: ${reported[q]} vs exact ${exact}`).toBeLessThanOrEqual(0.01 * exact + 0.5);
      }
    };
    check(all.map((l) => l.latencies.request), report.total.latency_ms, 'latency');
    const ttft = all.map((l) => l.ai?.proxy?.usage?.time_to_first_token).filter((v): v is number => typeof v === 'number');
    expect(ttft.length).toBeGreaterThan(10);
    check(ttft, report.total.ttft_ms, 'ttft');
  });

  it('--csv: one row per group that adds up to the totals; the table ends with the same TOTAL', async () => {
    const csv = await runGw(['usage', '--csv', '--by', 'model', ...set.files]);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n').map((line) => line.split(','));
    expect(header!.slice(0, 3)).toEqual(['model', 'requests', 'errors']);
    const column = (name: string) => rows.reduce((n, row) => n + Number(row[header!.indexOf(name)]), 0);
    const expected = sums(all);
    for (const name of ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'total_tokens'] as const) {
      expect(column(name), name).toBe(expected[name]);
    }
    expect(column('cost')).toBeCloseTo(expected.cost, 9);

    const table = await runGw(['usage', '--by', 'model', ...set.files]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^gw usage: 3 files, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ … \d{4}-.*\(UTC\), by model$/);
    const heading = lines[2]!.trim().split(/\s{2,}/);
    expect(heading).toEqual(['MODEL', 'REQUESTS', 'ERRORS', 'ERROR %', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'COST', 'P50 MS', 'P95 MS', 'TTFT P50', 'TTFT P95']);
    const total = lines.find((l) => l.startsWith('TOTAL'))!.split(/\s{2,}/);
    const n = (v: number) => v.toLocaleString('en-US');
    expect(total.slice(0, 9)).toEqual([
      'TOTAL',
      n(expected.requests),
      n(expected.errors),
      `${((expected.errors / expected.requests) * 100).toFixed(1)}%`,
      n(expected.input_tokens),
      n(expected.output_tokens),
      n(expected.cache_read_tokens),
      n(expected.cache_write_tokens),
      `$${expected.cost.toFixed(4)}`,
    ]);
    expect(table.stdout).toContain('skipped lines: 2 malformed, 1 truncated, 2 invalid');
    expect(table.stdout).toContain('(a truncated last line is normal while gw is still writing the file)');
  });

  it('reads standard input through a pipe, gzipped or not', async () => {
    const [live, rotated, gzipped] = set.files.map((file) => readFileSync(file!));
    const fromFiles = (await usageJson(set.files)).report.total;
    const fromPipes = await Promise.all([live, rotated, gzipped].map((bytes) => gwWithStdin(['usage', '--json', '-'], bytes!)));
    const totals = fromPipes.map((r) => (JSON.parse(r.stdout) as { total: Record<string, number> }).total);
    for (const key of ['requests', 'errors', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'total_tokens'] as const) {
      expect(totals.reduce((n, t) => n + t[key]!, 0), key).toBe(fromFiles[key]);
    }
    expect(fromPipes[2]!.stderr).toBe(''); // the gzip one: recognised by its bytes, nothing skipped
  });

  it('a missing file or a directory is an error naming it, before any output; bad flags are usage errors', async () => {
    const missing = await runGw(['usage', set.files[0]!, `${set.dir}/claude.json.3.gz`]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain(`cannot read ${set.dir}/claude.json.3.gz: ENOENT`);
    const folder = await runGw(['usage', set.dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${set.dir} is a directory`);
    const by = await runGw(['usage', '--by', 'consumer,week', set.files[0]!]);
    expect(by.code).toBe(1);
    expect(by.stderr).toContain('unknown: week; use a comma list of consumer, model, route, month, day, hour');
    const since = await runGw(['usage', '--since', 'yesterday', set.files[0]!]);
    expect(since.code).toBe(1);
    expect(since.stderr).toContain('--since "yesterday" is not a date');
    const both = await runGw(['usage', '--json', '--csv', set.files[0]!]);
    expect(both.code).toBe(1);
  });
});
