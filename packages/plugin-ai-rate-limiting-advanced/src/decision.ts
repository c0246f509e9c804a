/**
 * From the windows' counts to a decision and what the client and the log are told. A request is refused
 * while any of its limits is at or over its limit (Kong: the usage of a request is known only when it
 * ends, so a limit is crossed by the request that ends over it, and the next one is refused). Retry-After
 * is when every exhausted limit has room again; Anthropic-format clients also get
 * `anthropic-ratelimit-{tokens,input-tokens,output-tokens}-*`.
 */
import type { AiUsageReport, ErrorFormat, JsonValue } from '@gw/plugin-api';
import { estimate, headerAmount, msUntilRoom, retryAfterSeconds, rfc3339, windowAt, type CounterKey, type Window } from '@gw/rate-limits';
import type { TokensStrategy } from './config.js';
import type { Applied } from './rules.js';

export interface Counted {
  applied: Applied;
  window: Window;
  /** The current window's counter; `previous` the one before it (sliding windows). */
  current: CounterKey;
  previous: CounterKey | undefined;
}

export interface Measured extends Counted {
  estimate: number;
  remaining: number;
  exhausted: boolean;
  /** ms until the limit has room again (0 when it has). */
  roomMs: number;
  /** ms until the window has forgotten all of its count (Anthropic's `-reset`). */
  resetMs: number;
}

/**
 * Counter keys: `gw:ai-rl:<namespace>:<provider or policy-n>:<what it counts>:<whose>:<window size>:<window start>`
 * (two limits of one policy may count different things over the same window).
 */
export function countersFor(namespace: string, applied: readonly Applied[], now: number): Counted[] {
  return applied.map((a) => {
    const { windowSize: size, windowType, strategy } = a.rule;
    const window = windowAt(size, now);
    const base = `gw:ai-rl:${namespace}:${a.rule.name}:${strategy}:${a.who}:${size}:`;
    // A sliding window's count is still read during the next window.
    const expires = windowType === 'sliding' ? window.end + window.size : window.end;
    const current = { key: `${base}${window.start}`, expires };
    const previous = windowType === 'sliding' ? { key: `${base}${window.start - window.size}`, expires: window.end } : undefined;
    return { applied: a, window, current, previous };
  });
}

/** The keys to read, in order: each counter's current window, then its previous one when sliding. */
export function keysToRead(counted: readonly Counted[]): CounterKey[] {
  return counted.flatMap((c) => (c.previous === undefined ? [c.current] : [c.current, c.previous]));
}

export function measure(counted: readonly Counted[], values: readonly number[], now: number): Measured[] {
  let i = 0;
  return counted.map((c) => {
    const current = values[i++];
    const previous = c.previous === undefined ? 0 : values[i++];
    const { limit, windowType } = c.applied.rule;
    const est = estimate(windowType, previous, current, c.window, now);
    const roomMs = msUntilRoom(windowType, limit, previous, current, c.window, now);
    const resetMs = c.window.end - now + (windowType === 'sliding' && current > 0 ? c.window.size : 0);
    return { ...c, estimate: est, remaining: Math.max(0, limit - est), exhausted: est >= limit, roomMs, resetMs };
  });
}

/** What a request used, by the limit's strategy. Prompt tokens include cache reads and writes, as the log's prompt_tokens do. */
export function amountFor(strategy: TokensStrategy, usage: AiUsageReport): number {
  const t = usage.tokens;
  const prompt = t.input + t.cacheRead + t.cacheWrite;
  switch (strategy) {
    case 'total_tokens':
      return prompt + t.output;
    case 'prompt_tokens':
      return prompt;
    case 'completion_tokens':
      return t.output;
    case 'cost':
      return usage.costUsd ?? 0;
  }
}

const label = (m: Measured) => m.applied.rule.label;
const whole = (m: Measured, n: number) => (m.applied.rule.strategy === 'cost' ? headerAmount(n) : String(Math.floor(n)));
/** Amounts in the log: whole tokens as they are, money to 6 decimals. */
const logged = (n: number) => (Number.isInteger(n) ? n : Math.round(n * 1e6) / 1e6);

/** The tightest limit: least left, as a share of the limit (limits count different things). */
function tightest(measured: readonly Measured[]): Measured {
  return measured.reduce((a, b) => (b.remaining / b.applied.rule.limit < a.remaining / a.applied.rule.limit ? b : a));
}

const FAMILY: Partial<Record<TokensStrategy, string>> = { total_tokens: 'tokens', prompt_tokens: 'input-tokens', completion_tokens: 'output-tokens' };

export interface HeaderOptions {
  format: ErrorFormat;
  hide: boolean;
  /** Seconds added to Retry-After (Kong's retry_after_jitter_max, drawn per refusal). */
  jitter: number;
}

export function clientHeaders(measured: readonly Measured[], refused: boolean, now: number, o: HeaderOptions): Record<string, string> {
  const h: Record<string, string> = {};
  if (measured.length === 0) return h;
  if (!o.hide) {
    for (const m of measured) {
      h[m.applied.rule.limitHeader] = m.applied.rule.limitText;
      h[m.applied.rule.remainingHeader] = whole(m, m.remaining);
    }
    const t = tightest(measured);
    h['ratelimit-limit'] = t.applied.rule.limitText;
    h['ratelimit-remaining'] = whole(t, t.remaining);
    h['ratelimit-reset'] = String(retryAfterSeconds(t.exhausted ? t.roomMs : t.resetMs));
    if (o.format === 'anthropic') {
      const best = new Map<string, Measured>();
      for (const m of measured) {
        const family = FAMILY[m.applied.rule.strategy];
        if (family === undefined) continue;
        const known = best.get(family);
        if (known === undefined || m.remaining < known.remaining) best.set(family, m);
      }
      for (const [family, m] of best) {
        h[`anthropic-ratelimit-${family}-limit`] = m.applied.rule.limitText;
        h[`anthropic-ratelimit-${family}-remaining`] = whole(m, m.remaining);
        h[`anthropic-ratelimit-${family}-reset`] = rfc3339(now + (m.exhausted ? m.roomMs : m.resetMs));
      }
    }
  }
  if (refused) {
    const exhausted = measured.filter((m) => m.exhausted);
    const wait = Math.max(...exhausted.map((m) => m.roomMs));
    const seconds = String(retryAfterSeconds(wait + o.jitter * 1000));
    if (!o.hide) {
      for (const m of exhausted) {
        h[`x-ai-ratelimit-retry-after-${label(m)}`] = String(retryAfterSeconds(m.roomMs));
        h[`x-ai-ratelimit-reset-${label(m)}`] = String(retryAfterSeconds(m.roomMs));
      }
      h['x-ai-ratelimit-retry-after'] = seconds;
      h['x-ai-ratelimit-reset'] = seconds;
    }
    // Retry-After stays with hidden headers: it is what clients (Claude Code) wait by.
    h['retry-after'] = seconds;
  }
  return h;
}

/** The names of the exhausted limits' providers or policies, for the message. */
export function exhaustedNames(measured: readonly Measured[]): string {
  return [...new Set(measured.filter((m) => m.exhausted).map((m) => m.applied.rule.name))].join(', ');
}

/** `ai.rate_limiting` in the log record: the decision, what was left of each limit, what the request was charged. */
export function logValue(measured: readonly Measured[], allowed: boolean, charged: readonly number[] | undefined, strategy: string): JsonValue {
  const limits: Record<string, JsonValue> = {};
  measured.forEach((m, i) => {
    limits[label(m)] = {
      limit: m.applied.rule.limit,
      remaining: logged(m.remaining),
      window: m.applied.rule.windowSize,
      window_type: m.applied.rule.windowType,
      counts: m.applied.rule.strategy,
      ...(charged === undefined ? {} : { charged: logged(charged[i]) }),
    };
  });
  const t = measured.length > 0 ? tightest(measured) : undefined;
  return {
    allowed,
    strategy,
    ...(t === undefined ? {} : { limit: label(t), remaining: logged(t.remaining) }),
    limits,
  };
}
