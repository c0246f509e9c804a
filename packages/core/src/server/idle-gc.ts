/**
 * Memory back after a burst. V8 only collects when it allocates, so once traffic stops nothing frees
 * the garbage a burst left (1,000 Claude Code bodies are ~90 MB of buffers) and RSS stays at the peak
 * for as long as the gateway is idle: a pod looks like it leaks and its memory request can't be sized
 * from what it really holds. Once the gateway has been idle (nothing in flight, nothing started) for the
 * quiet period, and the heap plus buffers have grown by MIN_GROWTH since the last collection, run a full
 * collection. Run a second one some seconds later: V8 gives back its young generation (32 MB here) only
 * in a collection that follows ~5 s of low allocation. Both conditions keep a gateway with pauses in its
 * traffic from paying a full collection, and re-growing its young generation after it, at every pause.
 * Nothing runs on the request path: a timer reads counters.
 * See docs/decisions/0010-idle-gc.md.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleGcActivity {
  /** Requests started since the gateway started (only compared between reads). */
  started(): number;
  inFlight(): number;
}

export interface IdleGcOptions {
  activity: IdleGcActivity;
  /** How long nothing must be in flight or start, in milliseconds. */
  quietMs: number;
  /** A full, synchronous collection (`exposedGc()` in production, a spy in tests). */
  collect: () => void;
  /** Bytes that a collection might free: V8's heap in use plus external buffers (tests pass their own). */
  measure?: () => number;
  now?: () => number;
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

/** How often the counters are read: a collection comes at most this late after the quiet period. */
const TICK_MS = 1_000;

export function startIdleGc({ activity, quietMs, collect, measure = heapAndBuffers, now = Date.now }: IdleGcOptions): IdleGc {
  let seen = activity.started();
  let lastActive = now();
  let floor = measure();
  // This quiet spell's growth check is done (garbage doesn't grow while nothing runs).
  let checked = false;
  // When the second collection is due; undefined when none is owed.
  let shrinkAt: number | undefined;
  // Collected in this quiet spell: V8 frees buffers' memory after the collection, so the floor sinks.
  let settling = false;
  let collections = 0;
  const run = () => {
    collections++;
    collect();
    floor = measure();
    settling = true;
  };
  const timer = setInterval(() => {
    const t = now();
    const started = activity.started();
    if (started !== seen || activity.inFlight() > 0) {
      // Not idle: the quiet period starts over, and a second collection isn't owed any more.
      seen = started;
      lastActive = t;
      checked = false;
      shrinkAt = undefined;
      settling = false;
      return;
    }
    if (settling) floor = Math.min(floor, measure());
    if (shrinkAt !== undefined) {
      if (t < shrinkAt) return;
      shrinkAt = undefined;
      run();
      return;
    }
    if (checked || t - lastActive < quietMs) return;
    checked = true;
    if (measure() - floor < MIN_GROWTH) return;
    run();
    shrinkAt = t + SHRINK_AFTER_MS;
  }, Math.min(quietMs, TICK_MS));
  // Never what keeps the process alive.
  timer.unref();
  return {
    // eslint-disable-next-line no-restricted-syntax -- one per gateway
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * V8's `gc()`, without starting Node with `--expose-gc`: the flag only decides whether a new context
 * gets a `gc` global, so one context made with it set hands the function over, and the flag goes back
 * off so no later context (a plugin's `vm` sandbox) gets one. Undefined where the runtime doesn't
 * honour the flag: then there is no idle GC, and the gateway says so.
 */
export function exposedGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  setFlagsFromString('--expose-gc');
  try {
    // `typeof`, not the name: a runtime that ignores the flag would throw a ReferenceError on `gc`.
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
