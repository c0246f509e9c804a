/** A call that took longer than its instance's `timeout`. */
export class Timeout extends Error {}

interface Waiting {
  deadline: number;
  reject(err: Timeout): void;
  ms: number;
  /** Its place in `waiting`; -1 once settled. */
  index: number;
}

// One watchdog for every call in flight, rather than a timer made and cleared per call (a Redis call per
// request on the hot path): a call times out within WATCH_MS of its deadline. The calls are an array whose
// members know their index, not a Set: V8 kept the members of a long-lived Set reachable for young-generation
// GCs after they were deleted, and each member reaches its request through `reject`, so every request
// that called Redis was promoted whole (see core's client-timeouts, docs/performance.md, pass 9).
const WATCH_MS = 25;
const waiting: Waiting[] = [];
let watchdog: NodeJS.Timeout | undefined;

function settle(w: Waiting): void {
  const i = w.index;
  if (i < 0) return;
  w.index = -1;
  const last = waiting.pop()!;
  if (last === w) return;
  waiting[i] = last;
  last.index = i;
}

function watch(): void {
  const now = performance.now();
  // From the end: a swap-remove only moves a call already seen into the place being left.
  for (let i = waiting.length - 1; i >= 0; i--) {
    const w = waiting[i];
    if (w === undefined || w.deadline > now) continue;
    settle(w);
    w.reject(new Timeout(`no answer within ${w.ms} ms`));
  }
  if (waiting.length === 0) {
    clearInterval(watchdog);
    watchdog = undefined;
  }
}

/** `promise`, or a Timeout rejection once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w: Waiting = { deadline: performance.now() + ms, reject, ms, index: waiting.length };
    waiting.push(w);
    if (watchdog === undefined) {
      watchdog = setInterval(watch, WATCH_MS);
      watchdog.unref();
    }
    promise.then(
      (v) => {
        settle(w);
        resolve(v);
      },
      (e: unknown) => {
        settle(w);
        reject(e);
      },
    );
  });
}
