import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exposedGc, startIdleGc } from '../../src/server/idle-gc.js';

describe('idle GC', () => {
  let started = 0;
  let inFlight = 0;
  const activity = { started: () => started, inFlight: () => inFlight };

  beforeEach(() => {
    vi.useFakeTimers();
    started = 0;
    inFlight = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('collects nothing while no traffic ever came', () => {
    const collect = vi.fn();
    const gc = startIdleGc({ activity, quietMs: 100, collect });
    vi.advanceTimersByTime(60_000);
    expect(collect).not.toHaveBeenCalled();
    gc.stop();
  });

  it('collects once a full quiet period follows traffic, then once more ~6 s later, then stops', () => {
    const collect = vi.fn();
    const gc = startIdleGc({ activity, quietMs: 1_000, collect });
    started = 5;
    vi.advanceTimersByTime(1_000); // this tick sees the traffic
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000); // a whole quiet period
    expect(collect).toHaveBeenCalledTimes(1);
    expect(gc.collections).toBe(1);
    vi.advanceTimersByTime(5_000);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(collect).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(gc.collections).toBe(2);
    gc.stop();
  });

  it('waits while requests are in flight, even with no new ones', () => {
    const collect = vi.fn();
    const gc = startIdleGc({ activity, quietMs: 100, collect });
    started = 1;
    inFlight = 1;
    vi.advanceTimersByTime(10_000);
    expect(collect).not.toHaveBeenCalled();
    inFlight = 0;
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    gc.stop();
  });

  it('starts the quiet period over when a request starts before it ends', () => {
    const collect = vi.fn();
    const gc = startIdleGc({ activity, quietMs: 100, collect });
    for (let i = 0; i < 50; i++) {
      started++;
      vi.advanceTimersByTime(100);
    }
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    // Traffic between the two collections owes both again.
    started++;
    vi.advanceTimersByTime(200);
    expect(collect).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(6_000);
    expect(collect).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(60_000);
    expect(collect).toHaveBeenCalledTimes(3);
    gc.stop();
  });

  it('does nothing after stop', () => {
    const collect = vi.fn();
    const gc = startIdleGc({ activity, quietMs: 100, collect });
    started = 1;
    gc.stop();
    vi.advanceTimersByTime(10_000);
    expect(collect).not.toHaveBeenCalled();
  });
});

describe('exposedGc', () => {
  it("returns V8's collector without leaving a gc global in new contexts", async () => {
    const gc = exposedGc();
    expect(typeof gc).toBe('function');
    const { runInNewContext } = await import('node:vm');
    expect(runInNewContext('typeof gc')).toBe('undefined');
    // It really collects: an object only a WeakRef points to is gone after it.
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ big: new Array(1000).fill(1) });
    })();
    // A WeakRef target is kept until the end of the current job: collect in a later one.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ref!.deref()).toBeUndefined();
  });
});
