/**
 * Latency percentiles in bounded memory (docs/decisions/0017-usage-percentiles.md). A group keeps its
 * first 256 values and answers exactly; past that it moves them into a DDSketch (@datadog/sketches-js)
 * with 1% relative accuracy: one counter per 2% band of values, about 640 (≈ 8 KiB) for 1 ms … 1 min, whatever the
 * number of requests. Most groups of a fine breakdown (`--by hour,consumer,model`) stay small and exact;
 * the big ones cost a sketch each.
 */
import { DDSketch } from '@datadog/sketches-js';

export const RELATIVE_ACCURACY = 0.01;
/** Values kept as they are before a sketch takes over (2 KiB: less than a sketch's counters). */
export const EXACT_LIMIT = 256;

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface Quantiles {
  add(value: number): void;
  merge(other: Quantiles): void;
  /** Nearest rank, rounded to whole ms (the log's resolution); null without values. */
  percentiles(): Percentiles | null;
  /** What merge reads: the values while few, else the sketch. */
  readonly state: { values: readonly number[] | undefined; sketch: DDSketch | undefined };
}

/** The nearest-rank index: the smallest value at least q of the n values are at or below (p95 of 10, 20, 30 is 30). */
const rankOf = (q: number, n: number) => Math.max(0, Math.ceil(q * n) - 1);

export function quantiles(): Quantiles {
  let values: number[] | undefined;
  let sketch: DDSketch | undefined;

  const intoSketch = (): DDSketch => {
    if (sketch === undefined) {
      sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
      for (const v of values ?? []) sketch.accept(v);
      values = undefined;
    }
    return sketch;
  };

  const sketched = (s: DDSketch, q: number) => {
    // The sketch answers for rank ⌊q'·(n−1)⌋; the half keeps float error off the floor.
    const value = s.getValueAtQuantile(s.count === 1 ? 0 : Math.min(1, (rankOf(q, s.count) + 0.5) / (s.count - 1)));
    // It answers with its band's midpoint; the exact min and max bound that (p50 of [3] is 3, not 2.99).
    return Math.round(Math.min(s.max, Math.max(s.min, value)));
  };

  const self: Quantiles = {
    get state() {
      return { values, sketch };
    },
    add(value) {
      if (sketch !== undefined) sketch.accept(value);
      else {
        (values ??= []).push(value);
        if (values.length > EXACT_LIMIT) intoSketch();
      }
    },
    merge(other) {
      const theirs = other.state;
      if (theirs.sketch !== undefined) intoSketch().merge(theirs.sketch);
      else for (const v of theirs.values ?? []) self.add(v);
    },
    percentiles() {
      if (sketch !== undefined) return sketch.count === 0 ? null : { p50: sketched(sketch, 0.5), p95: sketched(sketch, 0.95) };
      if (values === undefined || values.length === 0) return null;
      const sorted = [...values].sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[rankOf(q, sorted.length)]!);
      return { p50: at(0.5), p95: at(0.95) };
    },
  };
  return self;
}
