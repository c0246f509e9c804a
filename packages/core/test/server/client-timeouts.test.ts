/**
 * client-timeouts' lists on their own: requests (and new connections) come and go in any order (one
 * swapped out from the middle, several timing out in one sweep), and every one still watched is timed out
 * once, none that left. The behaviour on the wire is test/integration/client-timeouts.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
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

describe('client_header_timeout watch list', () => {
  const HEADER_MS = 1_000;
  let timeouts: ClientTimeouts;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now());
    timeouts = startClientTimeouts({ bodyMs: 0, headerMs: HEADER_MS }, () => {});
  });
  afterEach(() => {
    timeouts.stop();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** A connection that has sent nothing yet; `destroy` counts. */
  function connection(name: string) {
    const socket = Object.assign(new EventEmitter(), { name, bytesRead: 0, destroyed: 0, destroy() {
      this.destroyed++;
    } });
    return socket;
  }
  type Fake = ReturnType<typeof connection>;
  const asSocket = (c: Fake) => c as unknown as Socket;
  const requestOn = (c: Fake) => ({ socket: c }) as unknown as Exchange;

  it('closes every connection still silent after the timeout, once, and none that started a request or closed', () => {
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(connection);
    for (const c of all) timeouts.accepted(asSocket(c));
    timeouts.started(requestOn(all[3]), false); // from the middle
    timeouts.started(requestOn(all[3]), false); // twice is harmless
    all[6].emit('close'); // the end
    all[0].emit('close'); // the start
    all[5].bytesRead = 10; // a head has begun: the next sweep lets it go
    vi.advanceTimersByTime(HEADER_MS * 3);
    expect(all.map((c) => c.destroyed)).toEqual([0, 1, 1, 0, 1, 0, 0]);
    vi.advanceTimersByTime(HEADER_MS * 3);
    expect(all.map((c) => c.destroyed)).toEqual([0, 1, 1, 0, 1, 0, 0]);
  });

  it('keeps a connection until its timeout', () => {
    const [early] = ['early'].map(connection);
    timeouts.accepted(asSocket(early));
    vi.advanceTimersByTime(HEADER_MS / 2);
    expect(early.destroyed).toBe(0);
    vi.advanceTimersByTime(HEADER_MS);
    expect(early.destroyed).toBe(1);
  });
});
