/** --since/--until and the UTC periods the report groups by. */
import { describe, expect, it } from 'vitest';
import { parseTimeBound, periodKey, TimeBoundError } from '../src/time.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const at = (iso: string) => Date.parse(iso);

describe('parseTimeBound', () => {
  it.each([
    ['2026-11-01', 'since', '2026-11-01T00:00:00Z'],
    ['2026-11-30', 'until', '2026-12-01T00:00:00Z'], // a date names the whole day
    ['2026-11', 'since', '2026-11-01T00:00:00Z'],
    ['2026-11', 'until', '2026-12-01T00:00:00Z'], // a month, to its end
    ['2026-12', 'until', '2027-01-01T00:00:00Z'],
    ['2026-11-05T09:30', 'since', '2026-11-05T09:30:00Z'], // no zone: UTC
    ['2026-11-05 09:30:15', 'until', '2026-11-05T09:30:15Z'],
    ['2026-11-05T09:30:15.250Z', 'since', '2026-11-05T09:30:15.250Z'],
    ['2026-11-05T09:30+02:00', 'since', '2026-11-05T07:30:00Z'],
    ['2026-11-05T09:30-0500', 'since', '2026-11-05T14:30:00Z'],
    ['30m', 'since', '2026-12-06T11:30:00Z'],
    ['12h', 'since', '2026-12-06T00:00:00Z'],
    ['7d', 'since', '2026-11-29T12:00:00Z'],
    ['2w', 'until', '2026-11-22T12:00:00Z'],
    ['1.5d', 'since', '2026-12-05T00:00:00Z'],
  ] as const)('%s as --%s is %s', (value, edge, expected) => {
    expect(parseTimeBound(value, edge, NOW)).toBe(at(expected));
  });

  it.each(['yesterday', '2026-02-30', '2026-13', '2026-11-05T25:00', '7', '7y', '', '26-11-05', '1969-12-31'])('refuses %j with the forms it takes', (value) => {
    expect(() => parseTimeBound(value, 'since', NOW)).toThrow(TimeBoundError);
    expect(() => parseTimeBound(value, 'since', NOW)).toThrow(/is not a date \(2026-12-01\), a date-time .* or an age \(30m, 12h, 7d, 2w\)$/);
  });
});

describe('periodKey', () => {
  it('names UTC hours, days and months', () => {
    const t = at('2026-03-08T23:59:59.999Z');
    expect(periodKey(t, 'hour')).toBe('2026-03-08T23:00Z');
    expect(periodKey(t, 'day')).toBe('2026-03-08');
    expect(periodKey(t, 'month')).toBe('2026-03');
    expect(periodKey(t + 1, 'day')).toBe('2026-03-09');
  });
});
