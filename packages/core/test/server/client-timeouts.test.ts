/**
 * client-timeouts' watch list on its own: requests come and go in any order (a finished one swapped out
 * from the middle, several timing out in one sweep), and every request still watched is timed out once,
 * none that finished. The behaviour on the wire is test/integration/client-timeouts.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startClientTimeouts, type ClientTimeouts } from '../../src/server/client-timeouts.js';
import type { Exchange } from '../../src/runtime/exchange.js';

const BODY_MS = 1_000;

/** The fields the sweep reads: a socket whose byte count never moves (a silent client), a body still flowing. */
function exchange(name: string): Exchange {
  const socket = { bytesRead: 100 };
  return {
    name,
    socket,
    req: { complete: false, destroyed: false, readableFlowing: true, socket },
    res: { headersSent: false },
    bodyBytesSeen: 0,
    bodyQuietSince: 0,
    bodyWatchIndex: -1,
  } as unknown as Exchange;
}
const nameOf = (ex: Exchange) => (ex as unknown as { name: string }).name;

describe('client_body_timeout watch list', () => {
  let timeouts: ClientTimeouts;
  let timedOut: string[];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    // gw's clock is performance.now(): let it follow the fake one.
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
    timedOut = [];
    timeouts = startClientTimeouts({ bodyMs: BODY_MS, headerMs: 0 }, (ex) => timedOut.push(nameOf(ex)));
  });
  afterEach(() => {
    timeouts.stop();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('times out every silent request still watched, once, and none that finished', () => {
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map(exchange);
    for (const ex of all) timeouts.started(ex, true);
    // From the middle, the end and the start: each leaves by a swap with the last.
    timeouts.finished(all[2]);
    timeouts.finished(all[5]);
    timeouts.finished(all[0]);
    timeouts.finished(all[0]); // twice is harmless
    vi.advanceTimersByTime(BODY_MS * 3);
    expect(timedOut.sort()).toEqual(['b', 'd', 'e']);
    for (const ex of all) expect(ex.bodyWatchIndex).toBe(-1);
    vi.advanceTimersByTime(BODY_MS * 3);
    expect(timedOut).toHaveLength(3);
  });

  it('drops a request that finished reading or was answered at the next sweep, without timing it out', () => {
    const [done, answered, silent] = ['done', 'answered', 'silent'].map(exchange);
    for (const ex of [done, answered, silent]) timeouts.started(ex, true);
    (done.req as { complete: boolean }).complete = true;
    (answered.res as { headersSent: boolean }).headersSent = true;
    vi.advanceTimersByTime(BODY_MS * 3);
    expect(timedOut).toEqual(['silent']);
    expect([done, answered, silent].map((ex) => ex.bodyWatchIndex)).toEqual([-1, -1, -1]);
  });

  it('keeps a request whose client is still sending', () => {
    const [moving] = ['moving'].map(exchange);
    timeouts.started(moving, true);
    const socket = moving.req.socket as unknown as { bytesRead: number };
    for (let i = 0; i < 10; i++) {
      socket.bytesRead += 10;
      vi.advanceTimersByTime(BODY_MS / 2);
    }
    expect(timedOut).toEqual([]);
    expect(moving.bodyWatchIndex).toBe(0);
  });

  it('watches only requests with a body, and each once', () => {
    const [bodiless, twice] = ['bodiless', 'twice'].map(exchange);
    timeouts.started(bodiless, false);
    timeouts.started(twice, true);
    timeouts.started(twice, true);
    expect(bodiless.bodyWatchIndex).toBe(-1);
    vi.advanceTimersByTime(BODY_MS * 3);
    expect(timedOut).toEqual(['twice']);
  });
});
