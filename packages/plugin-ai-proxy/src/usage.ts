/**
 * The format-neutral usage record: the token counts every backend reports, named once. Each client format
 * and backend has a reader from its own names (formats/anthropic/usage.ts, backends/bedrock/metrics.ts);
 * the log (Kong's `ai.proxy` usage) and AI_CALL are written from this record only (stats/).
 */

export interface TokenUsage {
  /** Prompt tokens neither read from nor written to a prompt cache (Anthropic `input_tokens`). */
  input: number;
  /** Generated tokens, reasoning included. */
  output: number;
  cacheRead: number;
  /** Prompt tokens written to a cache, whatever the TTL. */
  cacheWrite: number;
  /** Of `cacheWrite`, those written with the 1-hour TTL, when the backend reports the split (priced apart). */
  cacheWrite1h?: number;
  /** Of `output`, reasoning (thinking) tokens, when the backend reports them apart. */
  reasoning?: number;
}

/** The counts one report carried (a stream event, a body, response headers): absent ones unknown. */
export type UsageCounts = Partial<TokenUsage>;

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/** Kong's `prompt_tokens` and OpenAI's: the whole prompt, cached parts included. */
export function promptTokens(usage: TokenUsage): number {
  return usage.input + usage.cacheRead + usage.cacheWrite;
}

/** A non-negative finite number, else undefined: what every reader accepts as a count. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export interface UsageTracker {
  /** Counts the answer itself reported (stream events, a body); later reports replace earlier ones. */
  reported(counts: UsageCounts | undefined): void;
  /** Counts from a side channel (Bedrock's invocation metrics or token-count headers): used only where the answer reported none. */
  fallback(counts: UsageCounts | undefined): void;
  /** The merged counts so far. */
  current(): TokenUsage;
}

const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'reasoning'] as const;

export function createUsageTracker(): UsageTracker {
  const main: UsageCounts = {};
  const side: UsageCounts = {};
  const merge = (into: UsageCounts, counts: UsageCounts | undefined) => {
    if (counts === undefined) return;
    for (const field of FIELDS) if (counts[field] !== undefined) into[field] = counts[field];
  };
  return {
    reported: (counts) => merge(main, counts),
    fallback: (counts) => merge(side, counts),
    current() {
      const usage: TokenUsage = {
        input: main.input ?? side.input ?? 0,
        output: main.output ?? side.output ?? 0,
        cacheRead: main.cacheRead ?? side.cacheRead ?? 0,
        cacheWrite: main.cacheWrite ?? side.cacheWrite ?? 0,
      };
      const cacheWrite1h = main.cacheWrite1h ?? side.cacheWrite1h;
      if (cacheWrite1h !== undefined) usage.cacheWrite1h = cacheWrite1h;
      const reasoning = main.reasoning ?? side.reasoning;
      if (reasoning !== undefined) usage.reasoning = reasoning;
      return usage;
    },
  };
}
