/** @gw/usage-report: `gw usage`, the report over file-log records (docs/usage-report.md). */
export { buildUsageReport, DIMENSIONS, UsageInputError, type Dimension, type SkipKind, type UsageQuery, type UsageReport } from './report.js';
export { toUsageRecord, isError, NONE, type UsageRecord, type CutSide } from './record.js';
export { parseTimeBound, TimeBoundError, periodKey } from './time.js';
export { formatTable, caveats, skippedNotes, DEFINITIONS } from './table.js';
export { formatCsv, CSV_COLUMNS } from './csv.js';
export { renderHtml } from './html/page.js';
export { inflateIfGzip, splitLines, MAX_LINE_BYTES } from './lines.js';
export { RELATIVE_ACCURACY, type Percentiles } from './quantiles.js';
export type { Stats } from './metrics.js';
export type { ChartData, Series } from './timeline.js';
