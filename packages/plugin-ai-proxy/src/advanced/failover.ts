/**
 * What one upstream try means to the balancer (Kong's failover_criteria, read as nginx's
 * proxy_next_upstream, which Kong's balancer is):
 * - `error`: the connection failed or broke; `timeout`: connect, write or read timeout before the head;
 *   `invalid_header`: the answer could not be parsed (gw can't tell it from a broken connection, so both
 *   `error` and `invalid_header` cover it); `http_NNN`: the target answered NNN.
 * - LLM calls are POST requests: a try the upstream may have acted on (sent, then failed or answered)
 *   fails over only when `non_idempotent` is listed too. A try that failed before the request left
 *   (refused, connect timeout) fails over on `error` / `timeout` alone.
 * - The circuit breaker counts failures and timeouts always, 429 and 5xx answers when their criterion is
 *   listed, never a 4xx the client caused (400, 401, 403, 404, 413): those say nothing of the target's
 *   health.
 */
import type { UpstreamTry } from '@gw/plugin-api';
import type { FailoverCriterion } from './config.js';
import type { FailureClass } from './breaker.js';

export interface TryVerdict {
  /** Send the request to the next target. */
  failover: boolean;
  /** The criterion the try met (for the log and metrics), or undefined for a success / client error. */
  criterion: FailoverCriterion | undefined;
  /** Counts against the target's circuit breaker, and how the client would be told. */
  breaker: FailureClass | undefined;
  /** The target answered and is healthy (closes a half-open breaker). */
  healthy: boolean;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function judgeTry(attempt: UpstreamTry, criteria: readonly FailoverCriterion[]): TryVerdict {
  const anyway = IDEMPOTENT.has(attempt.upstream.method) || criteria.includes('non_idempotent');
  const failure = attempt.failure;
  if (failure !== undefined) {
    if (failure.kind === 'aborted') return { failover: false, criterion: undefined, breaker: undefined, healthy: false };
    const criterion: FailoverCriterion = failure.kind === 'timeout' ? 'timeout' : 'error';
    const listed = criteria.includes(criterion) || (criterion === 'error' && criteria.includes('invalid_header'));
    return { failover: listed && (failure.beforeRequest || anyway), criterion, breaker: 'unavailable', healthy: false };
  }
  const status = attempt.response!.status;
  const criterion = `http_${status}` as FailoverCriterion;
  const listed = criteria.includes(criterion);
  if (status === 429) return { failover: listed && anyway, criterion, breaker: listed ? 'rate_limited' : undefined, healthy: false };
  if (status >= 500) return { failover: listed && anyway, criterion: listed ? criterion : undefined, breaker: listed ? 'unavailable' : undefined, healthy: false };
  if (status === 403 || status === 404) return { failover: listed && anyway, criterion: listed ? criterion : undefined, breaker: undefined, healthy: false };
  return { failover: false, criterion: undefined, breaker: undefined, healthy: status < 400 };
}
