/**
 * Memory back after a burst. V8 only collects when it allocates, so once traffic stops nothing frees
 * the garbage a burst left (1,000 Claude Code bodies are ~90 MB of buffers) and RSS stays at the peak
 * for as long as the gateway is idle: a pod looks like it leaks and its memory request can't be sized
 * from what it really holds. When no request is in flight and none started during a whole quiet
 * period, run a full collection. Run a second one some seconds later: V8 gives back its young
 * generation (32 MB here) only in a collection that follows ~5 s of low allocation. Nothing runs on
 * the request path: a timer reads two counters.
 * See docs/decisions/0010-idle-gc.md.
 */
import { setFlagsFromString } from 'node:v8';
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
}

export interface IdleGc {
  /** Collections run so far (GET /status shows it). */
  readonly collections: number;
  stop(): void;
}

/** How long after the first collection the second one runs (V8 measures allocation over 5 s). */
const SHRINK_AFTER_MS = 6_000;

export function startIdleGc({ activity, quietMs, collect }: IdleGcOptions): IdleGc {
  const shrinkTicks = Math.max(1, Math.ceil(SHRINK_AFTER_MS / quietMs));
  let seen = activity.started();
  // Quiet ticks until each owed collection: [first, second], counted down; empty when none is owed.
  let owed: number[] = [];
  let collections = 0;
  const timer = setInterval(() => {
    const started = activity.started();
    if (started !== seen) {
      // Traffic during this period: the quiet period starts over.
      seen = started;
      owed = [1, shrinkTicks];
      return;
    }
    if (owed.length === 0 || activity.inFlight() > 0) return;
    if (--owed[0] > 0) return;
    owed.shift();
    collections++;
    collect();
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
