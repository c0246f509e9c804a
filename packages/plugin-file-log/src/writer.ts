/**
 * One shared writer per absolute path per process. Plugin instances acquire a handle in `init` and
 * release it in `close`; gw builds the new config before retiring the old one, so a reload keeps the
 * count above zero and the file open, and no line is lost or reordered across it.
 */
import type { Logger } from '@gw/plugin-api';
import { createLineWriter, type LineWriter, type LineWriterOptions, type WriterStats } from './line-writer.js';

export interface WriterHandle {
  readonly path: string;
  /** One line, without its newline (LineWriter.write). */
  write(line: string): void;
  flush(): Promise<void>;
  reopen(): Promise<void>;
  /** Drops this holder; the last one flushes and closes the file. Idempotent. */
  release(): Promise<void>;
  stats(): WriterStats;
}

export interface AcquireOptions {
  logger: Logger;
  /** Kong's `reopen: true`: while any holder asks for it, the file is closed after every batch. */
  reopen?: boolean;
  /** Used only when this call creates the writer (tests shrink caps and delays). */
  writer?: Omit<LineWriterOptions, 'logger' | 'reopenEachBatch' | 'startAfter'>;
}

interface Entry {
  writer: LineWriter;
  holders: number;
  reopenHolders: number;
  /** Reports go to the newest holder's logger (older configs may be retired). */
  logger: Logger;
}

const entries = new Map<string, Entry>();
/** Writers whose last holder left and that are still flushing, by path. */
const closing = new Map<string, Promise<void>>();

/** `path` must be absolute (plugin.ts resolves it against the config folder). */
export function acquireWriter(path: string, options: AcquireOptions): WriterHandle {
  let entry = entries.get(path);
  if (!entry) {
    const created: Entry = { holders: 0, reopenHolders: 0, logger: options.logger, writer: undefined as never };
    const logger: Logger = {
      info: (m) => created.logger.info(m),
      warn: (m) => created.logger.warn(m),
      error: (m) => created.logger.error(m),
    };
    created.writer = createLineWriter(path, {
      ...options.writer,
      logger,
      reopenEachBatch: () => created.reopenHolders > 0,
      startAfter: closing.get(path),
    });
    entries.set(path, created);
    entry = created;
  }
  const held = entry;
  held.holders++;
  held.logger = options.logger;
  const reopen = options.reopen === true;
  if (reopen) held.reopenHolders++;

  let released: Promise<void> | null = null;
  return {
    path,
    write: (line) => held.writer.write(line),
    flush: () => held.writer.flush(),
    reopen: () => held.writer.reopen(),
    stats: () => held.writer.stats(),
    release() {
      released ??= (async () => {
        held.holders--;
        if (reopen) held.reopenHolders--;
        if (held.holders > 0) return;
        entries.delete(path);
        const done = held.writer.close();
        closing.set(path, done);
        await done;
        if (closing.get(path) === done) closing.delete(path);
      })();
      return released;
    },
  };
}

/** Paths with a live shared writer (for diagnostics and tests). */
export function openWriterPaths(): string[] {
  return [...entries.keys()];
}
