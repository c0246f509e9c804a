/**
 * `gw usage`: the report over file-log files. Thin: reading, grouping and every format come from
 * @gw/usage-report; this picks the format and where it goes (stdout; the page to --html's file).
 */
import { writeFile } from 'node:fs/promises';
import { buildUsageReport, formatCsv, formatTable, renderHtml, skippedNotes, type Dimension } from '@gw/usage-report';
import { err } from '../output.js';

export interface UsageOptions {
  args: string[];
  by?: Dimension[];
  since?: number;
  until?: number;
  consumer?: string[];
  json?: boolean;
  csv?: boolean;
  html?: string;
}

export async function runUsage(opts: UsageOptions): Promise<number> {
  const report = await buildUsageReport({
    files: opts.args,
    by: opts.by,
    since: opts.since,
    until: opts.until,
    consumers: opts.consumer,
    charts: opts.html !== undefined,
  });
  if (opts.html !== undefined) {
    await writeFile(opts.html, renderHtml(report));
  }
  if (opts.json || opts.csv) {
    const { charts: _charts, ...data } = report;
    process.stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : formatCsv(report));
    // The table carries these in its notes; machine formats keep stdout clean and say it here.
    for (const line of skippedNotes(report)) err(`gw usage: ${line}`);
  } else {
    process.stdout.write(formatTable(report));
  }
  if (opts.html !== undefined) err(`gw usage: wrote ${opts.html}`);
  return 0;
}
