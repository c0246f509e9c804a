/**
 * Memory back after a burst. V8 only collects when it allocates, so once traffic stops nothing frees
 * the garbage a burst left (1,000 Claude Code bodies are ~90 MB of buffers) and RSS stays at the peak
 * for as long as the gateway is idle: a pod looks like it leaks and its memory request can't be sized
 * from what it really holds. When no request is in flight, none started during a whole quiet period,
 * and the heap plus buffers have grown by MIN_GROWTH since the last collection, run a full collection.
 * Run a second one some seconds later: V8 gives back its young generation (32 MB here) only in a
 * collection that follows ~5 s of low allocation. The growth condition keeps light traffic (a few
 * Claude Code requests with pauses between them) from paying a full collection, and the re-warming
 * after it, at every pause. Nothing runs on the request path: a timer reads counters.
 * See docs/decisions/0010-idle-gc.md.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleGcActivity {
  /** Requests started since the gateway started (only compared between ticks). */
  started(): number;
  inFlight(): number;
}

export interface IdleGcOptions {
  activity: IdleGcActivity;
  /** The quiet period, in milliseconds. */
  quietMs: number;
  /** A full, synchronous collection (`exposedGc()` in production, a spy in tests). */
  collect: () => void;
  /** Bytes that a collection might free: V8's heap in use plus external buffers (tests pass their own). */
  measure?: () => number;
}

export interface IdleGc {
  /** Collections run so far (GET /status shows it). */
  readonly collections: number;
  stop(): void;
}

/** How long after the first collection the second one runs (V8 measures allocation over 5 s). */
const SHRINK_AFTER_MS = 6_000;

/** Growth since the last collection that is worth one (a 1,000-stream burst leaves ~150 MB). */
export const MIN_GROWTH = 32 * 2 ** 20;

function heapAndBuffers(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

export function startIdleGc({ activity, quietMs, collect, measure = heapAndBuffers }: IdleGcOptions): IdleGc {
  const shrinkTicks = Math.max(1, Math.ceil(SHRINK_AFTER_MS / quietMs));
  let seen = activity.started();
  let floor = measure();
  let quiet = false;
  // Quiet ticks until the second collection; 0 when none is owed.
  let shrinkIn = 0;
  let collections = 0;
  const run = () => {
    collections++;
    collect();
    floor = measure();
  };
  const timer = setInterval(() => {
    const started = activity.started();
    if (started !== seen) {
      // Traffic during this period: the quiet period starts over, and a second collection isn't owed.
      seen = started;
      quiet = false;
      shrinkIn = 0;
      return;
    }
    if (activity.inFlight() > 0) return;
    if (shrinkIn > 0) {
      if (--shrinkIn === 0) run();
      return;
    }
    // Once per quiet spell: garbage doesn't grow while nothing runs.
    if (quiet) return;
    quiet = true;
    if (measure() - floor < MIN_GROWTH) return;
    run();
    shrinkIn = shrinkTicks;
  }, quietMs);
  // Never what keeps the process alive.
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * V8's `gc()`, without starting Node with `--expose-gc`: the flag only decides whether a new context
 * gets a `gc` global, so one context made with it set hands the function over, and the flag goes back
 * off so no later context (a plugin's `vm` sandbox) gets one.
 */
export function exposedGc(): () => void {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
