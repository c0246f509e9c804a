/**
 * The percentiles against the exact ones (sorting the sample): nearest rank, exact up to EXACT_LIMIT
 * values, past it within the sketch's 1% relative accuracy plus the rounding to whole ms; the same after
 * merging.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXACT_LIMIT, quantiles, RELATIVE_ACCURACY } from '../src/quantiles.js';
import { fuzz } from './support/fuzz.js';

/** The smallest value at least q of the sample is at or below. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const within = (reported: number, exact: number) => Math.abs(reported - exact) <= RELATIVE_ACCURACY * exact + 0.5;

// Latencies as the log has them: whole ms, mostly small, a long tail (a stream of minutes).
const latency = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 900_000 }));

describe('quantiles', () => {
  it('p50 and p95 are the nearest-rank values: exact for a small group, within 1% past it', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 3_000 }), (values) => {
        const q = quantiles();
        for (const v of values) q.add(v);
        const p = q.percentiles()!;
        const exact = { p50: nearestRank(values, 0.5), p95: nearestRank(values, 0.95) };
        if (values.length <= EXACT_LIMIT) expect(p).toEqual(exact);
        expect(within(p.p50, exact.p50), `p50 ${p.p50} vs ${exact.p50}`).toBe(true);
        expect(within(p.p95, exact.p95), `p95 ${p.p95} vs ${exact.p95}`).toBe(true);
        expect(q.state.sketch === undefined).toBe(values.length <= EXACT_LIMIT);
      }),
      fuzz(200),
    );
  });

  it('merging two sketches answers as one sketch of both samples', () => {
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 500 }), fc.array(latency, { minLength: 1, maxLength: 500 }), (a, b) => {
        const [qa, qb, both] = [quantiles(), quantiles(), quantiles()];
        for (const v of a) qa.add(v);
        for (const v of b) qb.add(v);
        for (const v of [...a, ...b]) both.add(v);
        qa.merge(qb);
        expect(qa.percentiles()).toEqual(both.percentiles());
      }),
      fuzz(200),
    );
  });

  it('small samples: exact values', () => {
    const of = (values: number[]) => {
      const q = quantiles();
      for (const v of values) q.add(v);
      return q.percentiles();
    };
    expect(of([])).toBeNull();
    expect(of([3])).toEqual({ p50: 3, p95: 3 });
    expect(of([0, 0, 7])).toEqual({ p50: 0, p95: 7 });
    expect(of([10, 20, 30, 40])).toEqual({ p50: 20, p95: 40 });
  });
});
