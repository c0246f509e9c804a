/**
 * From the counts to what the client is told, as Kong's handler does it: per period the limit and what
 * is left, and RateLimit-* for the period with the least left (the longer one on a tie), whose reset is
 * also the Retry-After of a refusal. Anthropic-format clients also get `anthropic-ratelimit-requests-*`.
 */
import type { ErrorFormat, JsonValue } from '@gw/plugin-api';
import { periodWindow, rfc3339, secondsUntil, type Period } from '@gw/rate-limits';

export interface PeriodState {
  period: Period;
  limit: number;
  /** Requests left after this one (0 when refused). */
  remaining: number;
  /** ms since the epoch when the period's window ends. */
  end: number;
}

export interface Decision {
  allowed: boolean;
  periods: PeriodState[];
  /** The period the client is told about in RateLimit-* (the one with least left). */
  tightest: PeriodState;
  /** Seconds until the tightest window resets. */
  reset: number;
  /** Counted in this process because Redis was away. */
  offline: boolean;
}

export function decide(limits: readonly { period: Period; limit: number }[], counts: readonly number[], allowed: boolean, now: number, offline = false): Decision {
  const periods = limits.map(({ period, limit }, i) => ({
    period,
    limit,
    remaining: allowed ? Math.max(0, limit - counts[i]) : counts[i] >= limit ? 0 : Math.max(0, limit - counts[i]),
    end: periodWindow(period, now).end,
  }));
  let tightest = periods[0];
  for (const p of periods.slice(1)) {
    // Kong: least remaining wins; on a tie, the longer window (periods are in ascending order).
    if (p.remaining <= tightest.remaining) tightest = p;
  }
  return { allowed, periods, tightest, reset: secondsUntil(tightest.end, now), offline };
}

/** Kong's headers (lower-case, as gw writes all headers), plus Anthropic's for Anthropic-format clients. */
export function clientHeaders(d: Decision, format: ErrorFormat): Record<string, string> {
  const h: Record<string, string> = {};
  for (const p of d.periods) {
    h[`x-ratelimit-limit-${p.period}`] = String(p.limit);
    h[`x-ratelimit-remaining-${p.period}`] = String(p.remaining);
  }
  h['ratelimit-limit'] = String(d.tightest.limit);
  h['ratelimit-remaining'] = String(d.tightest.remaining);
  h['ratelimit-reset'] = String(d.reset);
  if (format === 'anthropic') {
    h['anthropic-ratelimit-requests-limit'] = String(d.tightest.limit);
    h['anthropic-ratelimit-requests-remaining'] = String(d.tightest.remaining);
    h['anthropic-ratelimit-requests-reset'] = rfc3339(d.tightest.end);
  }
  if (!d.allowed) h['retry-after'] = String(d.reset);
  return h;
}

/** The decision in the log record (`rate_limiting`): which limit decided, and what is left of each. */
export function logValue(d: Decision, limitBy: string, policy: string): JsonValue {
  const limits: Record<string, JsonValue> = {};
  for (const p of d.periods) limits[p.period] = { limit: p.limit, remaining: p.remaining };
  return {
    allowed: d.allowed,
    limit_by: limitBy,
    policy: d.offline ? `${policy} (counted locally: redis unavailable)` : policy,
    limit: d.tightest.period,
    remaining: d.tightest.remaining,
    reset: d.reset,
    limits,
  };
}
