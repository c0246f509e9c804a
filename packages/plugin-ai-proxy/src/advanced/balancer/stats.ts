/**
 * What the balancer knows of each target, per plugin instance and per process: requests in flight
 * (least-connections), a peak-EWMA of its latency (lowest-latency), the usage it served (lowest-usage), and
 * the smooth weighted round-robin counter every algorithm starts from (nginx's: a target's share of first
 * picks is its weight's share, spread evenly).
 */
export interface TargetStats {
  weight: number;
  inflight: number;
  /** ms (e2e) or ms per output token (tpot); undefined until the target answered once. */
  latency: number | undefined;
  latencyAt: number;
  /** Tokens or USD, as tokens_count_strategy counts them. */
  usage: number;
  /** Smooth weighted round-robin's running value. */
  current: number;
}

export function newStats(weight: number): TargetStats {
  return { weight, inflight: 0, latency: undefined, latencyAt: 0, usage: 0, current: 0 };
}

/** Latency samples lose half their weight every this many ms, so a target that was slow once is tried again. */
const HALF_LIFE_MS = 10_000;

/**
 * Peak EWMA (Kong's lowest-latency, after Finagle's): a sample above the average replaces it at once (a
 * target turning slow is avoided on the next request), one below pulls it down with a weight that grows
 * with the time since the last sample.
 */
export function recordLatency(stats: TargetStats, sample: number, now: number): void {
  if (stats.latency === undefined || sample >= stats.latency) {
    stats.latency = sample;
  } else {
    const keep = Math.pow(0.5, Math.max(0, now - stats.latencyAt) / HALF_LIFE_MS);
    // At least a tenth of the sample counts, so back-to-back answers still move the average.
    const w = Math.min(keep, 0.9);
    stats.latency = stats.latency * w + sample * (1 - w);
  }
  stats.latencyAt = now;
}
