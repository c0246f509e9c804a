/**
 * Time helpers for rate-limit tests, so no assertion depends on how fast the machine is: wait for a
 * window with room for the whole step, and for a window's end, instead of asserting on durations.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until at least `seconds` remain in the current window of `windowSeconds` (epoch-aligned, as Kong's are). */
export async function roomInWindow(windowSeconds: number, seconds: number): Promise<void> {
  const size = windowSeconds * 1000;
  const left = size - (Date.now() % size);
  if (left < seconds * 1000) await sleep(left + 20);
}

/** Waits until the window of `windowSeconds` holding `at` has ended. */
export async function afterWindow(windowSeconds: number, at: number): Promise<void> {
  const size = windowSeconds * 1000;
  const end = Math.floor(at / size) * size + size;
  const wait = end - Date.now();
  if (wait > 0) await sleep(wait + 20);
}

/** The index of the epoch-aligned window of `windowSeconds` holding `at`. */
export const windowIndex = (windowSeconds: number, at: number) => Math.floor(at / (windowSeconds * 1000));
