/**
 * Kong rate-limiting's calendar windows (kong/tools/timestamp.lua): a `minute` window starts at second 0
 * of the UTC minute, a `month` window at 00:00 UTC on the 1st, and so on. Counts of one window live under
 * a key with the window's start, so every replica counting the same request lands on the same key.
 */

export const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];

/** Start and end (exclusive) of the window of `period` holding `now`, in ms since the epoch, UTC. */
export function periodWindow(period: Period, now: number): { start: number; end: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  const h = d.getUTCHours();
  const mi = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  switch (period) {
    case 'second':
      return { start: Date.UTC(y, mo, day, h, mi, s), end: Date.UTC(y, mo, day, h, mi, s + 1) };
    case 'minute':
      return { start: Date.UTC(y, mo, day, h, mi), end: Date.UTC(y, mo, day, h, mi + 1) };
    case 'hour':
      return { start: Date.UTC(y, mo, day, h), end: Date.UTC(y, mo, day, h + 1) };
    case 'day':
      return { start: Date.UTC(y, mo, day), end: Date.UTC(y, mo, day + 1) };
    case 'month':
      return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
    case 'year':
      return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
  }
}

/** Whole seconds until `end`, at least 1 (Kong's RateLimit-Reset and Retry-After are never 0). */
export function secondsUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil((end - now) / 1000));
}
