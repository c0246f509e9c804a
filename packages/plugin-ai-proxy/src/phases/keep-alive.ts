/**
 * Keep-alive bytes for a stream whose upstream is silent: once started, each `intervalMs` without an
 * upstream chunk sends `bytes` to the client (a format's ping: Anthropic's `ping` event, an SSE comment for
 * OpenAI), so client idle timers don't cut a stream while the model thinks. One timer per stream, pushed
 * back by every upstream chunk (`touch`).
 */
export interface KeepAlive {
  /** An upstream chunk arrived (call it only once the stream has started and while it runs). */
  touch(controller: TransformStreamDefaultController<Uint8Array>): void;
  stop(): void;
}

export function createKeepAlive(intervalMs: number, bytes: Uint8Array, sent: (bytes: Uint8Array) => void): KeepAlive {
  let timer: NodeJS.Timeout | undefined;
  let to: TransformStreamDefaultController<Uint8Array> | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
    to = undefined;
  };
  const fire = () => {
    if (to === undefined) return stop();
    try {
      to.enqueue(bytes);
    } catch {
      return stop(); // the response is gone (client left, body failed)
    }
    sent(bytes);
    timer?.refresh();
  };
  return {
    touch(controller) {
      if (intervalMs <= 0) return;
      if (timer !== undefined) {
        timer.refresh();
        return;
      }
      to = controller;
      timer = setTimeout(fire, intervalMs);
      timer.unref();
    },
    stop,
  };
}
