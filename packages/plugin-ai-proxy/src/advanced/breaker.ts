/**
 * The circuit breaker of one target, Kong's `max_fails` / `fail_timeout` (ai-proxy-advanced 3.13):
 * - an unsuccessful try (failover.ts says which) counts; at `max_fails` counted tries the target is out
 *   for `fail_timeout` ms (open);
 * - the count is of failures, not consecutive ones: a success resets it only when `fail_timeout` has
 *   passed since the last failure;
 * - once `fail_timeout` is over the target takes requests again (half-open): its first failure puts it
 *   out for another `fail_timeout`, its first success closes the breaker and clears the count;
 * - `max_fails: 0` turns the breaker off.
 * State is per plugin instance and per process (each worker of `gw start --workers` has its own); a
 * reload starts every target closed. Times are ms on the clock the caller passes (Date.now in gw).
 */

/** Why a breaker last counted a failure: a client is told 429 for throttling, 529/503 otherwise. */
export type FailureClass = 'rate_limited' | 'unavailable';

export interface Breaker {
  /** Failures counted since the count was last cleared. */
  fails: number;
  lastFailAt: number;
  /** When the target takes requests again; 0 when closed. */
  openUntil: number;
  lastFailure: FailureClass | undefined;
  /** Times it opened (for status and metrics). */
  opened: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerRule {
  maxFails: number;
  failTimeout: number;
}

export function newBreaker(): Breaker {
  return { fails: 0, lastFailAt: 0, openUntil: 0, lastFailure: undefined, opened: 0 };
}

export function breakerState(b: Breaker, now: number): BreakerState {
  if (b.openUntil === 0) return 'closed';
  return now < b.openUntil ? 'open' : 'half-open';
}

export function takesRequests(b: Breaker, now: number): boolean {
  return b.openUntil <= now;
}

/** A failed try; returns true when it put the target out. */
export function recordFailure(b: Breaker, rule: BreakerRule, now: number, why: FailureClass): boolean {
  if (rule.maxFails === 0) return false;
  b.lastFailure = why;
  // A try that began before the breaker opened: the target is out already.
  if (b.openUntil > now) return false;
  b.lastFailAt = now;
  const halfOpen = b.openUntil !== 0;
  b.fails = halfOpen ? Math.max(b.fails, rule.maxFails) : b.fails + 1;
  if (!halfOpen && b.fails < rule.maxFails) return false;
  b.openUntil = now + rule.failTimeout;
  b.opened++;
  return true;
}

/** A successful try (an answer that is no failover status); returns true when it closed an open breaker. */
export function recordSuccess(b: Breaker, rule: BreakerRule, now: number): boolean {
  if (b.openUntil !== 0 && now >= b.openUntil) {
    b.openUntil = 0;
    b.fails = 0;
    return true;
  }
  if (b.openUntil === 0 && b.fails > 0 && now - b.lastFailAt >= rule.failTimeout) b.fails = 0;
  return false;
}
