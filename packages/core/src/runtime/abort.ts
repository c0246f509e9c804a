/**
 * The "client is gone" signal of one request. An AbortController (EventTarget machinery) costs several
 * µs per request and almost no request needs one, so the engine uses this plain listener list and a real
 * AbortSignal is only made when someone reads `signal` (a plugin's `ctx.signal`, a body read).
 */

/** What the proxy needs from an abort source; an AbortSignal satisfies it too. */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AbortHook extends AbortLike {
  /** A real AbortSignal tied to this hook, made on first use. */
  readonly signal: AbortSignal;
  abort(): void;
}

interface HookState {
  aborted: boolean;
  listeners: Array<() => void> | undefined;
  controller: AbortController | undefined;
}

// Methods on a shared prototype, not closures per request (see createExchange).
const hookProto = {
  // eslint-disable-next-line no-restricted-syntax -- a shared prototype, made once
  get signal(): AbortSignal {
    const h = this as unknown as HookState;
    if (h.controller === undefined) {
      h.controller = new AbortController();
      if (h.aborted) h.controller.abort();
    }
    return h.controller.signal;
  },
  addEventListener(this: HookState, _type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  },
  removeEventListener(this: HookState, _type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i !== -1) this.listeners!.splice(i, 1);
  },
  abort(this: HookState): void {
    if (this.aborted) return;
    this.aborted = true;
    const list = this.listeners;
    this.listeners = undefined;
    if (list !== undefined) for (const fn of list) fn();
    this.controller?.abort();
  },
};

export function createAbortHook(): AbortHook {
  const hook = Object.create(hookProto) as HookState;
  hook.aborted = false;
  hook.listeners = undefined;
  hook.controller = undefined;
  return hook as unknown as AbortHook;
}
