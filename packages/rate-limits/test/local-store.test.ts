import { describe, expect, it } from 'vitest';
import { LocalCounters, localCounters, localStore } from '../src/index.js';

describe('local counters', () => {
  it('count until the limit, refuse without counting, and start over when the window expires', () => {
    const store = localStore(`test-${Math.random()}`);
    const entries = [{ key: 'a', limit: 2, expires: 1_000 }, { key: 'b', limit: 5, expires: 60_000 }];
    expect(store.hit(entries, 1, 0)).toEqual({ allowed: true, counts: [1, 1] });
    expect(store.hit(entries, 1, 10)).toEqual({ allowed: true, counts: [2, 2] });
    expect(store.hit(entries, 1, 20)).toEqual({ allowed: false, counts: [2, 2] });
    expect(store.read([{ key: 'b', expires: 60_000 }], 30)).toEqual([2]);
    const next = [{ key: 'a', limit: 2, expires: 2_000 }, entries[1]];
    expect(store.hit(next, 1, 1_000)).toEqual({ allowed: true, counts: [1, 3] });
  });
  it('add amounts (tokens, money) and sweep expired entries', () => {
    const c = new LocalCounters();
    c.add('x', 0.25, 100, 0);
    c.add('x', 0.5, 100, 50);
    expect(c.get('x', 60)).toBe(0.75);
    expect(c.has('x', 99)).toBe(true);
    c.sweep(100);
    expect(c.size).toBe(0);
  });
  it('one space per name for the life of the process (a config reload keeps the counts)', () => {
    expect(localCounters('same-space')).toBe(localCounters('same-space'));
  });
});
