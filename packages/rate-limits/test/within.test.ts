/**
 * The Redis calls' shared watchdog: a call answered in time gets its answer, one that isn't gets a Timeout
 * once, whatever order calls start and finish in, and the watchdog stops when nothing is in flight.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timeout, within } from '../src/redis/within.js';

interface Call {
  settle(value: string): void;
  outcome: string | undefined;
}

function call(ms: number): Call {
  let settle!: (value: string) => void;
  const made: Call = { settle: (v) => settle(v), outcome: undefined };
  within(new Promise<string>((r) => (settle = r)), ms).then(
    (v) => (made.outcome = `value ${v}`),
    (e: unknown) => (made.outcome = e instanceof Timeout ? 'timeout' : `error ${String(e)}`),
  );
  return made;
}

describe('within', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('answers in time, times out the rest once each, and stops watching when nothing is in flight', async () => {
    const calls = [100, 1_000, 100, 1_000, 100, 1_000].map(call);
    // Answered out of order, from the middle and the ends.
    calls[3].settle('d');
    calls[0].settle('a');
    calls[5].settle('f');
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((c) => c.outcome)).toEqual(['value a', undefined, 'timeout', 'value d', 'timeout', 'value f']);
    calls[1].settle('late but in time');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls[1].outcome).toBe('value late but in time');
    // A settle after the timeout changes nothing.
    calls[2].settle('too late');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls[2].outcome).toBe('timeout');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a failure through unchanged', async () => {
    const failed = within(Promise.reject(new Error('READONLY')), 1_000);
    await expect(failed).rejects.toThrow('READONLY');
    // The watchdog notices at its next tick that nothing is left.
    await vi.advanceTimersByTimeAsync(50);
    expect(vi.getTimerCount()).toBe(0);
  });
});
