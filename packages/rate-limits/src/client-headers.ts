/**
 * What the client is told about its budget: Kong's header values, and Anthropic's
 * `anthropic-ratelimit-*` family for Anthropic-format clients (reset times as RFC 3339 instants).
 */

/** RFC 3339 at second precision (`2026-08-01T12:00:05Z`), rounded up: Anthropic's `…-reset` headers. */
export function rfc3339(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A count for a header: whole numbers as they are, amounts of money with at most 6 decimals. */
export function headerAmount(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 1e6) / 1e6);
}

/** Retry-After in whole seconds, at least 1: `retry-after: 0` makes some clients retry at once, over and over. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
