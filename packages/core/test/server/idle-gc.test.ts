import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exposedGc, MIN_GROWTH, startIdleGc } from '../../src/server/idle-gc.js';

describe('idle GC', () => {
  let started = 0;
  let inFlight = 0;
  let used = 0;
  const activity = { started: () => started, inFlight: () => inFlight };
  const measure = () => used;
  const MB = 2 ** 20;
  /** A collect spy that frees what `used` says was garbage down to `live`. */
  const collector = (live = 10 * MB) => vi.fn(() => (used = live));

  beforeEach(() => {
    vi.useFakeTimers();
    started = 0;
    inFlight = 0;
    used = 10 * MB;
  });
  afterEach(() => vi.useRealTimers());

  it('collects nothing while nothing grew', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    started = 100;
    vi.advanceTimersByTime(60_000);
    expect(collect).not.toHaveBeenCalled();
    gc.stop();
  });

  it('collects once a full quiet period follows a burst that grew the heap, then once more ~6 s later, then stops', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 1_000, collect, measure });
    started = 5;
    used += MIN_GROWTH;
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

  it('reads the counters every second for a long quiet period, so the collection comes at most a second late', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 10_000, collect, measure });
    used += MIN_GROWTH;
    vi.advanceTimersByTime(500);
    started = 1; // a request at 0.5 s, seen by the read at 1 s
    vi.advanceTimersByTime(10_400); // 10.9 s: 9.9 s since that read
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    gc.stop();
  });

  it('measures growth from what the last collection left', () => {
    const collect = collector(50 * MB);
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    started = 1;
    used = 10 * MB + MIN_GROWTH;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
    // 50 MB live now: the next burst must grow past 50 MB + MIN_GROWTH.
    started = 2;
    used = 50 * MB + MIN_GROWTH - 1;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
    started = 3;
    used = 50 * MB + MIN_GROWTH;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(4);
    gc.stop();
  });

  it('lowers the floor as memory a collection freed is released later (buffers go after the collection)', () => {
    // The collection leaves 80 MB counted; the buffers' memory is released a moment later (10 MB).
    const collect = vi.fn(() => {
      used = 80 * MB;
      setTimeout(() => (used = 10 * MB), 500);
    });
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    started = 1;
    used = 100 * MB;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
    // A burst to 10 MB + MIN_GROWTH is worth a collection, though it is below what the collection left.
    started = 2;
    used = 10 * MB + MIN_GROWTH;
    vi.advanceTimersByTime(1_000);
    expect(collect).toHaveBeenCalledTimes(3);
    gc.stop();
  });

  it('counts the quiet period from when the last request finished, not when it started', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    started = 1;
    inFlight = 1;
    used += MIN_GROWTH;
    vi.advanceTimersByTime(10_000);
    expect(collect).not.toHaveBeenCalled();
    inFlight = 0;
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    gc.stop();
  });

  it('starts the quiet period over when a request starts before it ends, and drops the second collection', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    used += MIN_GROWTH;
    for (let i = 0; i < 50; i++) {
      started++;
      vi.advanceTimersByTime(100);
    }
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    // Traffic between the two collections that grows nothing: no collection owed any more.
    started++;
    vi.advanceTimersByTime(60_000);
    expect(collect).toHaveBeenCalledTimes(1);
    gc.stop();
  });

  it('does nothing after stop', () => {
    const collect = collector();
    const gc = startIdleGc({ activity, quietMs: 100, collect, measure });
    started = 1;
    used += MIN_GROWTH;
    gc.stop();
    vi.advanceTimersByTime(10_000);
    expect(collect).not.toHaveBeenCalled();
  });
});

describe('exposedGc', () => {
  it("returns V8's collector without leaving a gc global in new contexts", async () => {
    const gc = exposedGc()!;
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
