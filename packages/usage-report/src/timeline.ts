/**
 * The series behind the HTML report's charts, built in the same pass as the table: per period, the
 * totals and latency percentiles, and cost and tokens per consumer and per model. Periods are UTC hours
 * while the records span at most three days, else days: when a record widens the span past that, the
 * hours fold into days (sums add, sketches merge), so memory follows the periods, not the requests.
 */
import { addRecord, mergeMetrics, newMetrics, stats, type Metrics } from './metrics.js';
import type { Percentiles } from './quantiles.js';
import type { UsageRecord } from './record.js';
import { PERIOD_MS, periodKey, periodStart } from './time.js';

export const HOURLY_SPAN_LIMIT = 3 * PERIOD_MS.day;
/** Stacked series beyond this many names fold into one `other` series: a chart of 40 colours reads as none. */
export const STACK_LIMIT = 8;
export const TOP_CONSUMERS = 10;
/** Empty periods are drawn as zeros up to this many periods; past it (a stray 1970 timestamp) only periods with records. */
const FILL_LIMIT = 2_000;

interface Period {
  all: Metrics;
  consumers: Map<string, Metrics>;
  models: Map<string, Metrics>;
}

export interface Timeline {
  add(record: UsageRecord): void;
  chartData(): ChartData;
}

export interface Series {
  name: string;
  values: number[];
}

/** What the page's script draws; also the test's view of the charts. */
export interface ChartData {
  unit: 'hour' | 'day';
  periods: string[];
  requests: number[];
  errors: number[];
  /** errors / requests per period, null for a period without requests (a gap, not a 0% error rate). */
  errorRate: (number | null)[];
  cost: number[];
  tokens: number[];
  latency: { p50: (number | null)[]; p95: (number | null)[] };
  ttft: { p50: (number | null)[]; p95: (number | null)[] };
  costByConsumer: Series[];
  tokensByConsumer: Series[];
  costByModel: Series[];
  tokensByModel: Series[];
  topConsumers: { name: string; cost: number; requests: number; errors: number; tokens: number }[];
}

export function timeline(): Timeline {
  let unit: 'hour' | 'day' = 'hour';
  let periods = new Map<number, Period>();
  let first = Infinity;
  let last = -Infinity;
  const consumers = new Map<string, Metrics>();

  const periodOf = (start: number): Period => {
    let period = periods.get(start);
    if (period === undefined) {
      period = { all: newMetrics(true), consumers: new Map(), models: new Map() };
      periods.set(start, period);
    }
    return period;
  };

  function foldIntoDays(): void {
    const hours = periods;
    unit = 'day';
    periods = new Map();
    for (const [start, hour] of hours) {
      const day = periodOf(periodStart(start, 'day'));
      mergeMetrics(day.all, hour.all);
      for (const [side, from] of [['consumers', hour.consumers], ['models', hour.models]] as const) {
        for (const [name, metrics] of from) mergeMetrics(entry(day[side], name, false), metrics);
      }
    }
  }

  return {
    add(record) {
      first = Math.min(first, record.time);
      last = Math.max(last, record.time);
      if (unit === 'hour' && periodStart(last, 'hour') - periodStart(first, 'hour') >= HOURLY_SPAN_LIMIT) foldIntoDays();
      const period = periodOf(periodStart(record.time, unit));
      addRecord(period.all, record);
      addRecord(entry(period.consumers, record.consumer, false), record);
      addRecord(entry(period.models, record.model, false), record);
      addRecord(entry(consumers, record.consumer, false), record);
    },
    chartData() {
      const starts = periodStarts([...periods.keys()], unit);
      const rows = starts.map((start) => periods.get(start));
      const perPeriod = rows.map((row) => (row === undefined ? undefined : stats(row.all)));
      const pick = (get: (s: NonNullable<(typeof perPeriod)[number]>) => number) => perPeriod.map((s) => (s === undefined ? 0 : get(s)));
      const percentile = (get: (s: NonNullable<(typeof perPeriod)[number]>) => Percentiles | null, q: keyof Percentiles) =>
        perPeriod.map((s) => (s === undefined ? null : (get(s)?.[q] ?? null)));
      const stacked = (side: 'consumers' | 'models', value: (m: Metrics) => number) => stack(rows.map((row) => row?.[side]), value);
      const cost = (m: Metrics) => stats(m).cost;
      const tokens = (m: Metrics) => m.total;
      return {
        unit,
        periods: starts.map((start) => periodKey(start, unit)),
        requests: pick((s) => s.requests),
        errors: pick((s) => s.errors),
        errorRate: perPeriod.map((s) => (s === undefined || s.requests === 0 ? null : s.error_rate)),
        cost: pick((s) => s.cost),
        tokens: pick((s) => s.total_tokens),
        latency: { p50: percentile((s) => s.latency_ms, 'p50'), p95: percentile((s) => s.latency_ms, 'p95') },
        ttft: { p50: percentile((s) => s.ttft_ms, 'p50'), p95: percentile((s) => s.ttft_ms, 'p95') },
        costByConsumer: stacked('consumers', cost),
        tokensByConsumer: stacked('consumers', tokens),
        costByModel: stacked('models', cost),
        tokensByModel: stacked('models', tokens),
        topConsumers: [...consumers]
          .map(([name, m]) => ({ name, cost: stats(m).cost, requests: m.requests, errors: m.errors, tokens: m.total }))
          .sort((a, b) => b.cost - a.cost || b.requests - a.requests || a.name.localeCompare(b.name))
          .slice(0, TOP_CONSUMERS),
      };
    },
  };
}

function entry(map: Map<string, Metrics>, name: string, percentiles: boolean): Metrics {
  let metrics = map.get(name);
  if (metrics === undefined) {
    metrics = newMetrics(percentiles);
    map.set(name, metrics);
  }
  return metrics;
}

/** Every period from the first to the last, so a quiet hour shows as a gap in the bars; only used ones past FILL_LIMIT. */
function periodStarts(used: number[], unit: 'hour' | 'day'): number[] {
  if (used.length === 0) return [];
  const sorted = used.sort((a, b) => a - b);
  const step = PERIOD_MS[unit];
  const span = (sorted.at(-1)! - sorted[0]!) / step + 1;
  if (span > FILL_LIMIT) return sorted;
  return Array.from({ length: span }, (_, i) => sorted[0]! + i * step);
}

/** One series per name with the largest totals, the rest summed into `other (n)`; every period's stack adds up to its total. */
function stack(perPeriod: (Map<string, Metrics> | undefined)[], value: (m: Metrics) => number): Series[] {
  const totals = new Map<string, number>();
  for (const names of perPeriod) for (const [name, m] of names ?? []) totals.set(name, (totals.get(name) ?? 0) + value(m));
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const kept = ranked.length <= STACK_LIMIT ? ranked : ranked.slice(0, STACK_LIMIT - 1);
  const series: Series[] = kept.map((name) => ({ name, values: perPeriod.map((names) => (names?.get(name) ? value(names.get(name)!) : 0)) }));
  const rest = ranked.slice(kept.length);
  if (rest.length > 0) {
    const folded = new Set(rest);
    series.push({
      name: `other (${rest.length})`,
      values: perPeriod.map((names) => {
        let sum = 0;
        for (const [name, m] of names ?? []) if (folded.has(name)) sum += value(m);
        return sum;
      }),
    });
  }
  return series;
}
