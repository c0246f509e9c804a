import { describe, expect, it } from 'vitest';
import { estimate, msUntilRoom, periodWindow, secondsUntil, windowAt } from '../src/index.js';

const at = (iso: string) => Date.parse(iso);

describe("Kong's calendar periods (UTC)", () => {
  const now = at('2026-02-14T13:45:30.250Z');
  it.each([
    ['second', '2026-02-14T13:45:30Z', '2026-02-14T13:45:31Z'],
    ['minute', '2026-02-14T13:45:00Z', '2026-02-14T13:46:00Z'],
    ['hour', '2026-02-14T13:00:00Z', '2026-02-14T14:00:00Z'],
    ['day', '2026-02-14T00:00:00Z', '2026-02-15T00:00:00Z'],
    ['month', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['year', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
  ] as const)('%s', (period, start, end) => {
    expect(periodWindow(period, now)).toEqual({ start: at(start), end: at(end) });
  });
  it('a month ends on its last day, not after 30 days (Kong expires month keys after 30 days)', () => {
    expect(periodWindow('month', at('2026-01-31T23:59:59Z')).end).toBe(at('2026-02-01T00:00:00Z'));
    expect(periodWindow('month', at('2026-12-31T12:00:00Z')).end).toBe(at('2027-01-01T00:00:00Z'));
  });
  it('counts down whole seconds, never 0', () => {
    expect(secondsUntil(at('2026-02-14T13:46:00Z'), now)).toBe(30);
    expect(secondsUntil(now, now)).toBe(1);
  });
});

describe('sliding and fixed windows', () => {
  it("estimates as Kong's sliding window does: 86 × 45/60 + 12 = 76.5", () => {
    const w = windowAt(60, 75_000);
    expect(w).toEqual({ start: 60_000, end: 120_000, size: 60_000 });
    expect(estimate('sliding', 86, 12, w, 75_000)).toBe(76.5);
    expect(estimate('fixed', 86, 12, w, 75_000)).toBe(12);
  });
  it('fixed: room at the end of the window', () => {
    const w = windowAt(60, 75_000);
    expect(msUntilRoom('fixed', 10, 0, 10, w, 75_000)).toBe(45_000);
    expect(msUntilRoom('fixed', 10, 99, 9, w, 75_000)).toBe(0);
  });
  it('sliding: room once enough of the previous window slid out', () => {
    const w = windowAt(60, 75_000);
    // 100 × (45 − t)/60 + 10 < 50 ⇒ t > 21 s
    const t = msUntilRoom('sliding', 50, 100, 10, w, 75_000);
    expect(t).toBeCloseTo(21_000, 6);
    expect(estimate('sliding', 100, 10, w, 75_000 + t)).toBeCloseTo(50, 6);
  });
  it('sliding: over the limit in the current window alone, room only in the next one', () => {
    const w = windowAt(60, 75_000);
    // 45 s to the next window, then 80 × (60 − t2)/60 < 40 ⇒ t2 > 30 s
    expect(msUntilRoom('sliding', 40, 0, 80, w, 75_000)).toBe(75_000);
  });
});
