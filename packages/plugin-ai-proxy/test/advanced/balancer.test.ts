/** The balancer's order of targets per algorithm, and the circuit breaker's states, on their own. */
import { describe, expect, it } from 'vitest';
import { orderTargets } from '../../src/advanced/balancer/order.js';
import { buildRing, ringOrder } from '../../src/advanced/balancer/ring.js';
import { newStats, recordLatency } from '../../src/advanced/balancer/stats.js';
import { breakerState, newBreaker, recordFailure, recordSuccess, takesRequests } from '../../src/advanced/breaker.js';

const firsts = (algorithm: Parameters<typeof orderTargets>[0]['algorithm'], weights: number[], n: number, setup?: (stats: ReturnType<typeof newStats>[]) => void) => {
  const stats = weights.map(newStats);
  setup?.(stats);
  const candidates = weights.map((_, i) => i);
  return Array.from({ length: n }, () => orderTargets({ algorithm, stats, candidates })[0]);
};

describe('balancer order', () => {
  it('round-robin: smooth, by weight', () => {
    expect(firsts('round-robin', [5, 1, 1], 7)).toEqual([0, 0, 1, 0, 2, 0, 0]);
    expect(firsts('round-robin', [1, 1], 4)).toEqual([0, 1, 0, 1]);
  });
  it('every order lists each candidate once, the first being the choice', () => {
    const stats = [1, 2, 3].map(newStats);
    const order = orderTargets({ algorithm: 'round-robin', stats, candidates: [0, 1, 2] });
    expect([...order].sort()).toEqual([0, 1, 2]);
  });
  it('priority: the highest weight group takes turns; lower groups follow in the failover order', () => {
    const stats = [70, 70, 25].map(newStats);
    const orders = Array.from({ length: 4 }, () => orderTargets({ algorithm: 'priority', stats, candidates: [0, 1, 2] }));
    expect(orders.map((o) => o[0])).toEqual([0, 1, 0, 1]);
    for (const o of orders) expect(o[2]).toBe(2);
    // The top group out (its breakers open): the next group answers.
    expect(orderTargets({ algorithm: 'priority', stats, candidates: [2] })).toEqual([2]);
  });
  it('least-connections: fewest in flight per weight', () => {
    expect(firsts('least-connections', [1, 1, 1], 1, (s) => { s[0]!.inflight = 2; s[1]!.inflight = 0; s[2]!.inflight = 1; })).toEqual([1]);
    expect(firsts('least-connections', [4, 1], 1, (s) => { s[0]!.inflight = 3; s[1]!.inflight = 1; })).toEqual([0]);
  });
  it('lowest-latency: an unmeasured target first, then the lowest peak EWMA', () => {
    expect(firsts('lowest-latency', [1, 1], 1, (s) => { s[0]!.latency = 50; })).toEqual([1]);
    expect(firsts('lowest-latency', [1, 1], 2, (s) => { s[0]!.latency = 50; s[1]!.latency = 20; })).toEqual([1, 1]);
  });
  it('peak EWMA: a slower sample counts at once, a faster one decays in', () => {
    const s = newStats(1);
    recordLatency(s, 100, 0);
    recordLatency(s, 300, 10);
    expect(s.latency).toBe(300);
    recordLatency(s, 100, 20);
    expect(s.latency).toBeGreaterThan(250);
    recordLatency(s, 100, 60_000);
    expect(s.latency).toBeLessThan(110);
  });
  it('lowest-usage: least usage per weight', () => {
    expect(firsts('lowest-usage', [1, 1], 1, (s) => { s[0]!.usage = 1000; s[1]!.usage = 10; })).toEqual([1]);
    expect(firsts('lowest-usage', [100, 1], 1, (s) => { s[0]!.usage = 1000; s[1]!.usage = 20; })).toEqual([0]);
  });
  it('consistent-hashing: a key keeps its target, keys spread by weight, a target out moves only its keys', () => {
    const ring = buildRing([1, 1, 2], 10_000);
    const all = [0, 1, 2];
    const counts = [0, 0, 0];
    const before = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const key = `user-${i}`;
      const first = ringOrder(ring, key, all)[0]!;
      counts[first]++;
      before.set(key, first);
      expect(ringOrder(ring, key, all)[0]).toBe(first);
    }
    expect(counts[2]! / 4000).toBeGreaterThan(0.4);
    expect(counts[0]! / 4000).toBeGreaterThan(0.15);
    for (const [key, first] of before) {
      const without1 = ringOrder(ring, key, [0, 2]);
      if (first !== 1) expect(without1[0]).toBe(first);
      expect(without1).toHaveLength(2);
    }
  });
});

describe('circuit breaker', () => {
  const rule = { maxFails: 2, failTimeout: 1000 };
  it('opens at max_fails, half-opens after fail_timeout, closes on a success, reopens on a failure', () => {
    const b = newBreaker();
    expect(recordFailure(b, rule, 0, 'rate_limited')).toBe(false);
    expect(recordFailure(b, rule, 10, 'rate_limited')).toBe(true);
    expect(breakerState(b, 500)).toBe('open');
    expect(takesRequests(b, 500)).toBe(false);
    expect(breakerState(b, 1010)).toBe('half-open');
    expect(takesRequests(b, 1010)).toBe(true);
    expect(recordFailure(b, rule, 1020, 'unavailable')).toBe(true);
    expect(b.openUntil).toBe(2020);
    expect(recordSuccess(b, rule, 2100)).toBe(true);
    expect(breakerState(b, 2100)).toBe('closed');
    expect(b.fails).toBe(0);
    expect(b.opened).toBe(2);
  });
  it('max_fails 0 never opens', () => {
    const b = newBreaker();
    for (let i = 0; i < 10; i++) expect(recordFailure(b, { maxFails: 0, failTimeout: 1000 }, i, 'unavailable')).toBe(false);
    expect(breakerState(b, 5)).toBe('closed');
  });
  it('a success clears old failures only once fail_timeout has passed since the last', () => {
    const b = newBreaker();
    recordFailure(b, rule, 0, 'unavailable');
    recordSuccess(b, rule, 500);
    expect(b.fails).toBe(1);
    recordSuccess(b, rule, 1500);
    expect(b.fails).toBe(0);
  });
});
