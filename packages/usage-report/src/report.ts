/**
 * `gw usage`'s one pass over the log: every line of every file is read once, as a stream, parsed,
 * filtered and added to its group, the total and (for --html) the chart series. Lines that are not
 * records are counted by kind and located, never fatal.
 */
import { stat } from 'node:fs/promises';
import { addRecord, newMetrics, stats, type Metrics, type Stats } from './metrics.js';
import { inflateIfGzip, openSource, splitLines, untilError, MAX_LINE_BYTES } from './lines.js';
import { toUsageRecord, type UsageRecord } from './record.js';
import { isoSeconds, periodKey } from './time.js';
import { timeline, type ChartData } from './timeline.js';

export const DIMENSIONS = ['consumer', 'model', 'route', 'month', 'day', 'hour'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
const TIME_DIMENSIONS: ReadonlySet<Dimension> = new Set(['month', 'day', 'hour']);

export interface UsageQuery {
  /** Paths of file-log files, plain or gzip; `-` is standard input. */
  files: string[];
  by?: Dimension[];
  /** ms, inclusive. */
  since?: number;
  /** ms, exclusive. */
  until?: number;
  /** Keep records whose consumer has one of these as username, custom_id or id. */
  consumers?: string[];
  /** Also build the chart series (`--html`). */
  charts?: boolean;
  /** Longest line read (tests make it small). */
  maxLineBytes?: number;
}

export type SkipKind = 'malformed' | 'truncated' | 'invalid' | 'oversize';

export interface UsageReport {
  files: string[];
  by: Dimension[];
  filters: { since: string | null; until: string | null; consumers: string[] };
  /** started_at of the first and last record counted. */
  period: { first: string; last: string } | null;
  lines: {
    /** Non-blank lines. */
    read: number;
    /** Lines that are log records (read − skipped). */
    records: number;
    /** Records outside --since/--until/--consumer. */
    filtered_out: number;
    skipped: Record<SkipKind, number>;
    /** Where the first skipped lines are (file and line number; never their content). */
    examples: { file: string; line: number; kind: SkipKind }[];
  };
  /** A file that could not be read to its end (a truncated or corrupt .gz, a read error). */
  problems: { file: string; after_line: number; message: string }[];
  groups: (Partial<Record<Dimension, string>> & Stats)[];
  total: Stats;
  charts?: ChartData;
}

export class UsageInputError extends Error {}

const EXAMPLES = 10;

export async function buildUsageReport(query: UsageQuery): Promise<UsageReport> {
  const by = [...new Set(query.by ?? [])];
  await checkReadable(query.files);
  const consumers = new Set(query.consumers ?? []);
  const groups = new Map<string, { key: string[]; metrics: Metrics }>();
  const total = newMetrics(true);
  const chart = query.charts ? timeline() : undefined;
  const skipped: Record<SkipKind, number> = { malformed: 0, truncated: 0, invalid: 0, oversize: 0 };
  const examples: UsageReport['lines']['examples'] = [];
  const problems: UsageReport['problems'] = [];
  let read = 0;
  let filtered = 0;
  let first = Infinity;
  let last = -Infinity;

  const skip = (file: string, line: number, kind: SkipKind) => {
    skipped[kind]++;
    if (examples.length < EXAMPLES) examples.push({ file, line, kind });
  };
  const keep = (r: UsageRecord) =>
    (query.since === undefined || r.time >= query.since) &&
    (query.until === undefined || r.time < query.until) &&
    (consumers.size === 0 || r.consumerNames.some((name) => consumers.has(name)));

  for (const file of query.files) {
    let lineNumber = 0;
    const failed = (error: unknown) => problems.push({ file, after_line: lineNumber, message: describeReadError(error) });
    const chunks = untilError(inflateIfGzip(openSource(file)), failed);
    for await (const line of splitLines(chunks, query.maxLineBytes ?? MAX_LINE_BYTES)) {
      lineNumber = line.number;
      if (line.kind === 'oversize') {
        read++;
        skip(file, line.number, 'oversize');
        continue;
      }
      if (line.text.trim().length === 0) continue;
      read++;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        // A live file's last line may still be on its way: that one is truncated, not damaged.
        skip(file, line.number, line.unterminated ? 'truncated' : 'malformed');
        continue;
      }
      const record = toUsageRecord(value);
      if (typeof record === 'string') {
        skip(file, line.number, 'invalid');
        continue;
      }
      if (!keep(record)) {
        filtered++;
        continue;
      }
      first = Math.min(first, record.time);
      last = Math.max(last, record.time);
      const key = by.map((dimension) => keyOf(record, dimension));
      const id = key.join('\u0000');
      let group = groups.get(id);
      if (group === undefined) {
        group = { key, metrics: newMetrics(true) };
        groups.set(id, group);
      }
      addRecord(group.metrics, record);
      addRecord(total, record);
      chart?.add(record);
    }
  }

  const skippedCount = Object.values(skipped).reduce((a, b) => a + b, 0);
  const rows = sortGroups([...groups.values()], by).map(({ key, metrics }) => ({
    ...Object.fromEntries(by.map((dimension, i) => [dimension, key[i]])),
    ...stats(metrics),
  }));
  return {
    files: query.files,
    by,
    filters: {
      since: query.since === undefined ? null : isoSeconds(query.since),
      until: query.until === undefined ? null : isoSeconds(query.until),
      consumers: [...consumers],
    },
    period: Number.isFinite(first) ? { first: isoSeconds(first), last: isoSeconds(last) } : null,
    lines: { read, records: read - skippedCount, filtered_out: filtered, skipped, examples },
    problems,
    groups: rows,
    total: stats(total),
    ...(chart ? { charts: chart.chartData() } : {}),
  };
}

function keyOf(record: UsageRecord, dimension: Dimension): string {
  switch (dimension) {
    case 'consumer':
      return record.consumer;
    case 'model':
      return record.model;
    case 'route':
      return record.route;
    default:
      return periodKey(record.time, dimension);
  }
}

/**
 * In the order of --by: periods oldest first; a consumer, model or route by what it cost within the
 * dimensions before it (`--by consumer,model`: the biggest spender first, and its models by spend), ties
 * by name.
 */
function sortGroups<T extends { key: string[]; metrics: Metrics }>(groups: T[], by: Dimension[]): T[] {
  const costOf = new Map<string, number>();
  const prefixes = (g: T) => g.key.map((_, i) => g.key.slice(0, i + 1).join('\u0000'));
  for (const group of groups) {
    for (const prefix of prefixes(group)) costOf.set(prefix, (costOf.get(prefix) ?? 0) + group.metrics.cost.value + group.metrics.cost.compensation);
  }
  // Each group's cost at every depth, looked up once: the comparator runs n·log n times.
  const ranked = groups.map((group) => ({ group, costs: prefixes(group).map((prefix) => costOf.get(prefix)!) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < by.length; i++) {
      if (a.group.key[i] === b.group.key[i]) continue;
      if (!TIME_DIMENSIONS.has(by[i]!)) {
        const difference = b.costs[i]! - a.costs[i]!;
        if (difference !== 0) return difference;
      }
      return a.group.key[i]! < b.group.key[i]! ? -1 : 1;
    }
    return 0;
  });
  return ranked.map(({ group }) => group);
}

/** Every path must be there before any output: a typo in a glob is the user's to fix, not a line to skip. */
async function checkReadable(files: string[]): Promise<void> {
  if (files.length === 0) throw new UsageInputError('no log file given (use - for standard input)');
  for (const file of files) {
    if (file === '-') continue;
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      throw new UsageInputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (info.isDirectory()) throw new UsageInputError(`${file} is a directory; give the log files (e.g. ${file}/*.json*)`);
  }
}

function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR') return 'the gzip data ends early (a truncated .gz); lines before that point are counted';
  if (e?.code === 'Z_DATA_ERROR') return 'the gzip data is corrupt; lines before that point are counted';
  return e?.code ?? (error instanceof Error ? error.message : String(error));
}
