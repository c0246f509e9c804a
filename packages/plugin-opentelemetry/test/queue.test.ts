/**
 * Kong's queue in front of an exporter: batches by size or after the coalescing delay, one in flight at
 * a time, retries with a doubling delay until max_retry_time, drops the oldest span when full; every
 * span is exported or counted as dropped, by reason.
 */
import { describe, expect, it } from 'vitest';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createSpanQueue, type DropReason } from '../src/queue.js';

const span = (n: number, sampled = true) => ({ name: `s${n}`, spanContext: () => ({ traceFlags: sampled ? 1 : 0 }) }) as unknown as ReadableSpan;

function exporter(answer: () => ExportResult | undefined) {
  const batches: string[][] = [];
  const pending: Array<(r: ExportResult) => void> = [];
  const e: SpanExporter = {
    export(spans, done) {
      batches.push(spans.map((s) => s.name));
      const result = answer();
      if (result === undefined) pending.push(done);
      else setImmediate(() => done(result));
    },
    shutdown: async () => {},
  };
  return { e, batches, pending };
}

const settings = { maxBatchSize: 2, maxCoalescingDelayMs: 10, maxEntries: 3, maxRetryTimeMs: 60, initialRetryDelayMs: 5, maxRetryDelayMs: 20, concurrency: 1 as const };

function counting() {
  const counts = { exported: 0, dropped: { queue_full: 0, export_failed: 0, shutdown: 0 } as Record<DropReason, number> };
  return { counts, counters: { exported: (n: number) => (counts.exported += n), dropped: (r: DropReason, n: number) => (counts.dropped[r] += n) } };
}

describe('span queue', () => {
  it('sends full batches at once and the rest after the coalescing delay; unsampled spans never enter', async () => {
    const x = exporter(() => ({ code: ExportResultCode.SUCCESS }));
    const { counts, counters } = counting();
    const q = createSpanQueue(x.e, { ...settings, maxEntries: 100 }, counters);
    for (let i = 1; i <= 5; i++) q.onEnd(span(i));
    q.onEnd(span(6, false));
    await q.forceFlush();
    expect(x.batches).toEqual([['s1', 's2'], ['s3', 's4'], ['s5']]);
    expect(counts.exported).toBe(5);
  });

  it('drops the oldest span when full, and a batch the collector keeps refusing past max_retry_time', async () => {
    const x = exporter(() => ({ code: ExportResultCode.FAILED, error: new Error('503') }));
    const { counts, counters } = counting();
    const q = createSpanQueue(x.e, settings, counters);
    for (let i = 1; i <= 6; i++) q.onEnd(span(i));
    // s1, s2 went out at once (a full batch); s3..s6 wait in a queue of 3: s3 is dropped for s6.
    expect(counts.dropped.queue_full).toBe(1);
    await q.forceFlush();
    expect(counts.dropped.export_failed).toBe(5);
    expect(counts.exported).toBe(0);
    // Retried: the first batch more than once, with the delay doubling, within max_retry_time.
    expect(x.batches.filter((b) => b[0] === 's1').length).toBeGreaterThan(2);
    expect(x.batches.flat()).not.toContain('s3');
  });

  it('holds no more than one batch in flight, and counts what is waiting at shutdown', async () => {
    const x = exporter(() => undefined);
    const { counts, counters } = counting();
    const q = createSpanQueue(x.e, { ...settings, maxEntries: 10 }, counters);
    for (let i = 1; i <= 5; i++) q.onEnd(span(i));
    expect(x.batches).toEqual([['s1', 's2']]);
    expect(q.length).toBe(5);
    await q.shutdown();
    expect(counts.dropped.shutdown).toBe(3);
    x.pending[0]({ code: ExportResultCode.FAILED });
    await new Promise((r) => setImmediate(r));
    expect(counts.dropped.shutdown).toBe(5);
  });
});
