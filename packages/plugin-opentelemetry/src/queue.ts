/**
 * Kong's queue (kong/tools/queue.lua) in front of the OTLP exporter: spans wait in a bounded queue, go
 * out in batches of max_batch_size at most max_coalescing_delay after the first one queued, one batch at a
 * time (concurrency_limit 1) or each at once (-1); a failed batch is retried with a doubling delay until
 * max_retry_time, then dropped. A full queue drops its oldest span for the new one, as Kong does.
 *
 * Why not the SDK's BatchSpanProcessor: it drops silently (its count is private), and its failed batches
 * are lost at once. Nothing here runs on a request's path but `onEnd`'s push: an unreachable or hanging
 * collector fills the queue and costs dropped spans, never request time.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { QueueSettings } from './config.js';

export type DropReason = 'queue_full' | 'export_failed' | 'shutdown';

export interface QueueCounters {
  exported(n: number): void;
  dropped(reason: DropReason, n: number): void;
}

export interface SpanQueue extends SpanProcessor {
  /** Spans waiting now (batches being sent included). */
  readonly length: number;
}

const SAMPLED = 1;

export function createSpanQueue(exporter: SpanExporter, settings: QueueSettings, counters: QueueCounters): SpanQueue {
  const queue: ReadableSpan[] = [];
  let sending = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let idle: Array<() => void> = [];
  /** forceFlush calls waiting: until they are done, partial batches go without waiting. */
  let flushing = 0;

  const notifyIdle = () => {
    if (queue.length > 0 || inFlight > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  const exportOnce = (batch: ReadableSpan[]) =>
    new Promise<ExportResult>((resolve) => {
      try {
        exporter.export(batch, resolve);
      } catch (error) {
        resolve({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });

  const send = async (batch: ReadableSpan[]) => {
    inFlight++;
    sending += batch.length;
    const started = Date.now();
    let delay = settings.initialRetryDelayMs;
    try {
      for (;;) {
        const result = await exportOnce(batch);
        if (result.code === ExportResultCode.SUCCESS) {
          counters.exported(batch.length);
          return;
        }
        // Kong: retry until max_retry_time has passed, the delay doubling up to max_retry_delay.
        if (closed || Date.now() - started + delay > settings.maxRetryTimeMs) {
          counters.dropped(closed ? 'shutdown' : 'export_failed', batch.length);
          return;
        }
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, settings.maxRetryDelayMs);
      }
    } finally {
      inFlight--;
      sending -= batch.length;
      pump();
      notifyIdle();
    }
  };

  /** Sends what may be sent now: full batches, or everything once the coalescing delay is over (or a flush asked). */
  const pump = (force = false) => {
    while (queue.length > 0 && (settings.concurrency === -1 || inFlight === 0)) {
      if (queue.length < settings.maxBatchSize && !force && flushing === 0) {
        timer ??= setTimeout(() => {
          timer = undefined;
          pump(true);
        }, settings.maxCoalescingDelayMs).unref();
        return;
      }
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      void send(queue.splice(0, settings.maxBatchSize));
    }
  };

  return {
    // eslint-disable-next-line no-restricted-syntax -- one per exporter
    get length() {
      return queue.length + sending;
    },
    onStart() {},
    onEnd(span) {
      if (closed || (span.spanContext().traceFlags & SAMPLED) === 0) return;
      if (queue.length >= settings.maxEntries) {
        queue.shift();
        counters.dropped('queue_full', 1);
      }
      queue.push(span);
      pump();
    },
    forceFlush() {
      flushing++;
      pump(true);
      return new Promise<void>((resolve) => {
        idle.push(() => {
          flushing--;
          resolve();
        });
        notifyIdle();
      });
    },
    async shutdown() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (queue.length > 0) counters.dropped('shutdown', queue.splice(0).length);
      await exporter.shutdown().catch(() => {});
    },
  };
}
