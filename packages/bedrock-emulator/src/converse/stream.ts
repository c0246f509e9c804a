// Writes a planned reply as a ConverseStream body (named events, `metadata` last), failing the way the
// plan says: an exception frame after some events, a cut connection, or a frame cut short.
import type { Frame } from '../eventstream.js';
import { eventStreamEncoder } from '../eventstream.js';
import type { AnthropicMessage } from '../messages.js';
import type { Ending } from '../scenarios.js';
import { fromAsync, sleep } from '../stream.js';
import type { AnyResponse } from '../transport.js';
import { cut, end, isClosed, write, writeHead } from '../transport.js';
import { converseEvents, metadataEvent } from './view.js';

export interface ConverseStreamPlan {
  message: AnthropicMessage;
  ending: Ending;
  delayMs: number;
  padding: boolean;
  startedAt: number;
  signal: AbortSignal;
}

async function* frames(plan: ConverseStreamPlan): AsyncGenerator<Frame> {
  const events = converseEvents(plan.message);
  const { ending } = plan;
  // `metadata` counts as the last event.
  const total = events.length + 1;
  const limit = ending.kind === 'complete' ? total : Math.min(ending.after, total);
  for (let i = 0; i < limit; i++) {
    await sleep(plan.delayMs, plan.signal);
    if (plan.signal.aborted) return;
    const event = i < events.length ? events[i]! : metadataEvent(plan.message, Date.now() - plan.startedAt);
    yield { kind: 'event', type: event.type, payload: event.payload };
  }
  if (ending.kind === 'exception') yield { kind: 'exception', type: ending.type, message: ending.message };
  if (ending.kind === 'truncated') {
    const next = events[limit] ?? metadataEvent(plan.message, 0);
    yield { kind: 'partial', frame: { kind: 'event', type: next.type, payload: next.payload }, bytes: 20 };
  }
}

export async function writeConverseStream(res: AnyResponse, requestId: string, plan: ConverseStreamPlan): Promise<void> {
  writeHead(res, 200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
  const reader = fromAsync(frames(plan)).pipeThrough(eventStreamEncoder(plan.padding)).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || isClosed(res)) break;
      await write(res, value);
    }
  } catch {
    // The client went away.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (plan.ending.kind === 'cut') cut(res);
  else end(res);
}
