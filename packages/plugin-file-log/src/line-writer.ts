/**
 * An asynchronous appender for one file. `write()` only queues (the request path never waits on I/O);
 * a single loop drains the queue in batches of whole lines, each batch one append-mode write, so lines
 * from concurrent requests never interleave or tear, whatever their size (decisions/0005).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '@gw/plugin-api';

export interface LineWriterOptions {
  logger: Logger;
  /** Queue caps; beyond either one new lines are dropped and counted. */
  maxQueuedLines?: number;
  maxQueuedBytes?: number;
  /** Lines are joined into batches up to this size (a longer line is a batch of its own). */
  maxBatchBytes?: number;
  /** Wait before retrying after an open or write error. */
  retryDelayMs?: number;
  /** Close the file after every batch (Kong's `reopen: true`); read before each batch. */
  reopenEachBatch?: () => boolean;
  /** Don't open the file before this settles (a previous writer for the path still closing). */
  startAfter?: Promise<unknown>;
}

export interface WriterStats {
  /** Lines handed to the file system. */
  written: number;
  /** Lines refused because the queue was full or the writer closed. */
  dropped: number;
  /** Lines still queued when close() gave up on an unwritable file. */
  lost: number;
  /** Open or write errors (one report per outage, every one counted). */
  errors: number;
  queuedLines: number;
  queuedBytes: number;
}

export interface LineWriter {
  readonly path: string;
  /**
   * Queues one line, without its newline (the writer ends it: a `json + '\n'` string would be copied
   * whole to measure and again to join). Never throws, never blocks.
   */
  write(line: string): void;
  /** Resolves when the queue is empty, or when the file is unwritable and a retry is scheduled. */
  flush(): Promise<void>;
  /** Closes the file; the next batch opens the path again (log rotation, SIGUSR1). */
  reopen(): Promise<void>;
  /** Writes what is queued (one last attempt if the file is unwritable), then closes the file. */
  close(): Promise<void>;
  stats(): WriterStats;
}

export const WRITER_DEFAULTS = {
  maxQueuedLines: 100_000,
  maxQueuedBytes: 256 * 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
  retryDelayMs: 1000,
};

interface Batch {
  bytes: Buffer;
  lines: number;
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export function createLineWriter(path: string, options: LineWriterOptions): LineWriter {
  const { logger } = options;
  const maxLines = options.maxQueuedLines ?? WRITER_DEFAULTS.maxQueuedLines;
  const maxBytes = options.maxQueuedBytes ?? WRITER_DEFAULTS.maxQueuedBytes;
  const maxBatchBytes = options.maxBatchBytes ?? WRITER_DEFAULTS.maxBatchBytes;
  const retryDelayMs = options.retryDelayMs ?? WRITER_DEFAULTS.retryDelayMs;
  const stats: WriterStats = { written: 0, dropped: 0, lost: 0, errors: 0, queuedLines: 0, queuedBytes: 0 };

  let queue: string[] = [];
  let sizes: number[] = []; // byte length of each queued line, its newline included
  let unwritten: Batch | null = null; // a batch (or its tail) an error interrupted; it goes first
  let file: FileHandle | null = null;
  let running = false;
  let closing = false;
  let closed: Promise<void> | null = null;
  let reopenRequested = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let outage: string | null = null; // error code while the file is unwritable
  let droppedSinceFull = 0;
  let idleWaiters: (() => void)[] = [];

  function drop(count: number, reason: string): void {
    stats.dropped += count;
    if (droppedSinceFull === 0) logger.warn(`file-log: ${reason}; dropping lines for ${path}`);
    droppedSinceFull += count;
  }

  function write(line: string): void {
    if (closing) return drop(1, 'writer closed');
    const bytes = Buffer.byteLength(line) + 1;
    if (stats.queuedLines >= maxLines || stats.queuedBytes + bytes > maxBytes) {
      return drop(1, `queue full (${stats.queuedLines} lines, ${mib(stats.queuedBytes)})`);
    }
    if (droppedSinceFull > 0) {
      logger.warn(`file-log: queue for ${path} has room again; ${droppedSinceFull} lines were dropped`);
      droppedSinceFull = 0;
    }
    queue.push(line);
    sizes.push(bytes);
    stats.queuedLines++;
    stats.queuedBytes += bytes;
    kick();
  }

  function kick(): void {
    if (running || retryTimer) return;
    running = true;
    // Deferred so that lines logged in the same tick share one write.
    void Promise.resolve().then(drain);
  }

  function takeBatch(): Batch {
    let bytes = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || bytes + sizes[count] <= maxBatchBytes)) {
      bytes += sizes[count];
      count++;
    }
    // Each line encoded straight into the batch, not joined into one more string first.
    const batch = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      at += batch.write(queue[i], at);
      batch[at++] = 0x0a;
    }
    queue = count === queue.length ? [] : queue.slice(count);
    sizes = count === sizes.length ? [] : sizes.slice(count);
    stats.queuedLines -= count;
    stats.queuedBytes -= bytes;
    return { bytes: at === bytes ? batch : batch.subarray(0, at), lines: count };
  }

  async function closeFile(): Promise<void> {
    const handle = file;
    file = null;
    await handle?.close().catch(() => undefined);
  }

  function failed(error: unknown): void {
    stats.errors++;
    const code = errorCode(error);
    if (outage === null) {
      const what = closing ? 'giving up (closing)' : `keeping up to ${maxLines} lines in memory, retrying every ${retryDelayMs} ms`;
      logger.error(`file-log: cannot write ${path}: ${code}; ${what}`);
    }
    outage = code;
    if (closing) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      kick();
    }, retryDelayMs);
    retryTimer.unref();
  }

  async function drain(): Promise<void> {
    try {
      for (;;) {
        // Never between the two halves of a short write: the rest of a line belongs in the same file.
        if (reopenRequested && unwritten === null) {
          reopenRequested = false;
          await closeFile();
        }
        if (!unwritten && queue.length === 0) break;
        if (!file) {
          await options.startAfter?.catch(() => undefined);
          try {
            file = await open(path, 'a', 0o644); // O_WRONLY | O_CREAT | O_APPEND, like Kong
          } catch (error) {
            failed(error);
            break;
          }
        }
        const batch = unwritten ?? takeBatch();
        unwritten = null;
        let written: number;
        try {
          ({ bytesWritten: written } = await file.write(batch.bytes));
        } catch (error) {
          unwritten = batch; // nothing of it reached the file: retry it whole
          await closeFile();
          failed(error);
          break;
        }
        if (written < batch.bytes.length) {
          // Short write (disk filling up): the rest goes out next, so the line is completed, not duplicated.
          unwritten = { bytes: batch.bytes.subarray(written), lines: batch.lines };
          continue;
        }
        stats.written += batch.lines;
        if (outage !== null) {
          logger.info(`file-log: writing ${path} again (was ${outage})`);
          outage = null;
        }
        if (options.reopenEachBatch?.()) await closeFile();
      }
    } finally {
      running = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  const idle = () => (running ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve());

  function reopen(): Promise<void> {
    if (closing) return idle();
    reopenRequested = true;
    // An operator's signal is also a good moment to retry an unwritable path at once.
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    kick();
    return idle();
  }

  async function shutdown(): Promise<void> {
    closing = true;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    await idle();
    if (unwritten || queue.length > 0) {
      kick();
      await idle();
    }
    const left = queue.length + (unwritten?.lines ?? 0);
    if (left > 0) {
      stats.lost += left;
      logger.error(`file-log: ${left} lines for ${path} were not written (${outage ?? 'unwritable'})`);
      queue = [];
      sizes = [];
      unwritten = null;
      stats.queuedLines = 0;
      stats.queuedBytes = 0;
    }
    await closeFile();
  }

  return {
    path,
    write(line) {
      try {
        write(line);
      } catch {
        stats.dropped++; // e.g. a string too large for a Buffer; the request must not notice
      }
    },
    flush: idle,
    reopen,
    close: () => (closed ??= shutdown()),
    stats: () => ({ ...stats }),
  };
}
