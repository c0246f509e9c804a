/** A call that took longer than its instance's `timeout`. */
export class Timeout extends Error {}

interface Waiting {
  deadline: number;
  reject(err: Timeout): void;
  ms: number;
}

// One watchdog for every call in flight, rather than a timer made and cleared per call (a Redis call per
// request on the hot path): a call times out within WATCH_MS of its deadline.
const WATCH_MS = 25;
const waiting = new Set<Waiting>();
let watchdog: NodeJS.Timeout | undefined;

function watch(): void {
  const now = performance.now();
  for (const w of waiting) {
    if (w.deadline > now) continue;
    waiting.delete(w);
    w.reject(new Timeout(`no answer within ${w.ms} ms`));
  }
  if (waiting.size === 0) {
    clearInterval(watchdog);
    watchdog = undefined;
  }
}

/** `promise`, or a Timeout rejection once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w: Waiting = { deadline: performance.now() + ms, reject, ms };
    waiting.add(w);
    if (watchdog === undefined) {
      watchdog = setInterval(watch, WATCH_MS);
      watchdog.unref();
    }
    promise.then(
      (v) => {
        waiting.delete(w);
        resolve(v);
      },
      (e: unknown) => {
        waiting.delete(w);
        reject(e);
      },
    );
  });
}
