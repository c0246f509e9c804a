// Writes a planned reply as an InvokeModelWithResponseStream body, failing the way the plan says.
import type { Frame } from './eventstream.js';
import { eventStreamEncoder } from './eventstream.js';
import type { AnthropicMessage } from './messages.js';
import { messageStop, streamEvents } from './messages.js';
import type { Ending } from './scenarios.js';
import type { AnyResponse } from './transport.js';
import { cut, end, isClosed, write, writeHead } from './transport.js';

export interface StreamPlan {
  message: AnthropicMessage;
  ending: Ending;
  delayMs: number;
  padding: boolean;
  startedAt: number;
  signal: AbortSignal;
}

export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** The frames to send, in order; the final metrics are computed when `message_stop` is reached. */
async function* frames(plan: StreamPlan, firstByteAt: () => number): AsyncGenerator<Frame> {
  const events = streamEvents(plan.message);
  const { ending } = plan;
  const limit = ending.kind === 'complete' ? Infinity : Math.min(ending.after, events.length);
  for (let i = 0; i <= events.length && i < limit; i++) {
    await sleep(plan.delayMs, plan.signal);
    if (plan.signal.aborted) return;
    const now = Date.now();
    const event = i < events.length ? events[i] : messageStop(plan.message.usage, now - plan.startedAt, firstByteAt() - plan.startedAt);
    yield { kind: 'chunk', event };
  }
  if (ending.kind === 'exception') yield { kind: 'exception', type: ending.type, message: ending.message };
  if (ending.kind === 'truncated') {
    const next = events[limit] ?? messageStop(plan.message.usage, 0, 0);
    yield { kind: 'partial', frame: { kind: 'chunk', event: next }, bytes: 20 };
  }
}

export function fromAsync<T>(iterator: AsyncIterator<T>): ReadableStream<T> {
  return new ReadableStream<T>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

export async function writeEventStream(res: AnyResponse, requestId: string, plan: StreamPlan): Promise<void> {
  writeHead(res, 200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': requestId,
    'x-amzn-bedrock-content-type': 'application/json',
  });
  let firstByte = 0;
  const body = fromAsync(frames(plan, () => firstByte || Date.now())).pipeThrough(eventStreamEncoder(plan.padding));
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || isClosed(res)) break;
      firstByte ||= Date.now();
      await write(res, value);
    }
  } catch {
    // The client went away; nothing left to tell it.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (plan.ending.kind === 'cut') cut(res);
  else end(res);
}
