/**
 * The windows of Kong's "advanced" rate limiters (rate-limiting-advanced, ai-rate-limiting-advanced):
 * `window_size` seconds, aligned to the epoch so every replica agrees on where a window starts. A fixed
 * window counts what happened in it; a sliding window adds the previous window's count weighted by the
 * share of the sliding window still over it, Kong's estimate:
 *
 *     rate = previous × (size − elapsed) / size + current
 *
 * e.g. 86 in the previous minute, 12 in this one, 15 s into it: 86 × 45/60 + 12 = 76.5.
 */

export type WindowType = 'fixed' | 'sliding';

export interface Window {
  /** ms since the epoch. */
  start: number;
  /** Exclusive. */
  end: number;
  /** ms. */
  size: number;
}

/** The window of `sizeSeconds` holding `now`. */
export function windowAt(sizeSeconds: number, now: number): Window {
  const size = sizeSeconds * 1000;
  const start = Math.floor(now / size) * size;
  return { start, end: start + size, size };
}

/** What counts against the limit now: the current window alone (fixed), or with the weighted previous one (sliding). */
export function estimate(type: WindowType, previous: number, current: number, window: Window, now: number): number {
  if (type === 'fixed' || previous <= 0) return current;
  const elapsed = now - window.start;
  return (previous * (window.size - elapsed)) / window.size + current;
}

/**
 * ms until the estimate falls below `limit` with no new traffic: what Retry-After says. Fixed: the end of
 * the window. Sliding: when enough of the previous window has slid out, possibly only in the next window,
 * once the current count has become the weighted previous one.
 */
export function msUntilRoom(type: WindowType, limit: number, previous: number, current: number, window: Window, now: number): number {
  if (estimate(type, previous, current, window, now) < limit) return 0;
  const left = window.end - now;
  if (type === 'fixed') return left;
  if (current < limit) {
    // previous × (size − elapsed − t) / size + current < limit
    const t = left - ((limit - current) * window.size) / previous;
    return Math.max(0, Math.min(left, t));
  }
  // In the next window: current × (size − t2) / size < limit.
  return left + window.size * (1 - limit / current);
}
