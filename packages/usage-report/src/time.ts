/** Time in the report: UTC throughout (log files carry epoch ms; a report must not change with the viewer's zone). */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNITS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

export class TimeBoundError extends Error {}

/**
 * A `--since` (inclusive) or `--until` (exclusive) bound in ms. A date or a month names a whole period,
 * so `--until` takes its end: `--since 2026-11-01 --until 2026-11-30` and `--since 2026-11 --until
 * 2026-11` are both November. A date-time without a zone is UTC. An age (`30m`, `12h`, `7d`, `2w`) is
 * counted back from `now`.
 */
export function parseTimeBound(value: string, edge: 'since' | 'until', now: number): number {
  const trimmed = value.trim();
  const age = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(trimmed);
  if (age) return now - Number(age[1]) * UNITS[age[2]!]!;

  const month = /^(\d{4})-(\d{2})$/.exec(trimmed);
  if (month) {
    const [year, m] = [Number(month[1]), Number(month[2])];
    if (m >= 1 && m <= 12) return Date.UTC(year, edge === 'until' ? m : m - 1, 1);
  }

  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed) && isCalendarDay(trimmed)) {
    const start = Date.parse(`${trimmed}T00:00Z`);
    return edge === 'until' ? start + DAY : start;
  }

  const dateTime = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (dateTime) {
    const zone = dateTime[3] === undefined ? 'Z' : dateTime[3].toUpperCase();
    const ms = Date.parse(`${dateTime[1]}T${dateTime[2]}${zone}`);
    if (Number.isFinite(ms) && isCalendarDay(dateTime[1]!)) return ms;
  }

  throw new TimeBoundError(
    `--${edge} ${JSON.stringify(value)} is not a date (2026-12-01), a date-time (2026-12-01T09:30, UTC unless it has a zone), a month (2026-12) or an age (30m, 12h, 7d, 2w)`,
  );
}

/** Date.UTC rolls 2026-02-31 over into March: only a real calendar day comes back unchanged. */
function isCalendarDay(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y >= 1970 && new Date(Date.UTC(y, m - 1, d)).toISOString().startsWith(date);
}

export type TimeUnit = 'hour' | 'day' | 'month';

/** The UTC period a time falls in, as it is printed: `2026-12-01T13:00Z`, `2026-12-01`, `2026-12`. */
export function periodKey(ms: number, unit: TimeUnit): string {
  const iso = new Date(ms).toISOString();
  if (unit === 'hour') return `${iso.slice(0, 13)}:00Z`;
  return iso.slice(0, unit === 'day' ? 10 : 7);
}

export const PERIOD_MS = { hour: HOUR, day: DAY } as const;

/** The start (ms) of the UTC hour or day a time falls in. */
export function periodStart(ms: number, unit: 'hour' | 'day'): number {
  return Math.floor(ms / PERIOD_MS[unit]) * PERIOD_MS[unit];
}

/** `2026-12-01T13:04:05Z`: second resolution is enough to say what a report covers. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
