/**
 * nginx's client timeouts on the proxy listeners:
 *  - client_body_timeout: a request whose body gw is reading (a plugin's `body()`, or the body streaming
 *    upstream) and from which nothing arrives for this long gets a 408 in its own error format, and is
 *    logged. Time spent not reading by choice (nobody asked for the body yet, or the upstream pushes back)
 *    doesn't count: nginx's timer also runs only while it waits for a read.
 *  - client_header_timeout, for a connection that sends no request at all (Node's headersTimeout, set on
 *    the server, covers a request head that stops half-way, but not a connection that never starts one).
 * One sweep timer per gateway reads a counter per watched request (the socket's bytesRead) instead of a
 * timer per request: a request pays an array push and a swap-remove, and only when it has a body.
 */
import type { Socket } from 'node:net';
import type { Exchange } from '../runtime/exchange.js';
import { now } from '../runtime/exchange.js';

export interface ClientTimeoutOptions {
  /** ms of silence while a body is being read; 0: off. */
  bodyMs: number;
  /** ms a new connection may take to start its first request; 0: off. */
  headerMs: number;
}

export interface ClientTimeouts {
  /** A connection was accepted: it has headerMs to start a request. */
  accepted(socket: Socket): void;
  /** A request arrived: its connection is no longer waiting for one; a request with a body is watched. */
  started(ex: Exchange, hasBody: boolean): void;
  /** The request is completely done. */
  finished(ex: Exchange): void;
  stop(): void;
}

/** How often the sweep runs: a timeout fires at most this much late (nginx's are exact; a tenth is plenty). */
function sweepEvery(options: ClientTimeoutOptions): number {
  const shortest = Math.min(...[options.bodyMs, options.headerMs].filter((ms) => ms > 0));
  return Math.max(25, Math.min(1_000, Math.floor(shortest / 10)));
}

const FRESH = Symbol('gw.freshConnection');
/** A socket while it waits for its first request, with the record that says since when. */
type Tracked = Socket & { [FRESH]?: FreshConnection };
interface FreshConnection {
  socket: Tracked;
  since: number;
  /** Its place in the list; -1 once its request began, it closed or timed out. */
  index: number;
}

export function startClientTimeouts(options: ClientTimeoutOptions, timedOut: (ex: Exchange) => void): ClientTimeouts {
  const { bodyMs, headerMs } = options;
  /** Connections with no request yet, each at its `index` (an array for the reason given for `reading`). */
  const fresh: FreshConnection[] = [];
  // The requests whose body is being read, each at its `bodyWatchIndex`. An array, not a Set: V8's Set
  // (and Map) kept a deleted member reachable for young-generation GCs while the table lived in the old
  // generation, as this one does, so every request with a body was promoted whole and freed only by a
  // full GC (~12 KB a small ai-proxy request at 32 connections; docs/performance.md, pass 9).
  const reading: Exchange[] = [];
  let timer: NodeJS.Timeout | undefined;

  const forget = (c: FreshConnection) => {
    const i = c.index;
    if (i < 0) return;
    c.index = -1;
    c.socket[FRESH] = undefined;
    const last = fresh.pop()!;
    if (last === c) return;
    fresh[i] = last;
    last.index = i;
  };

  const unwatch = (ex: Exchange) => {
    const i = ex.bodyWatchIndex;
    if (i < 0) return;
    ex.bodyWatchIndex = -1;
    const last = reading.pop()!;
    if (last === ex) return;
    reading[i] = last;
    last.bodyWatchIndex = i;
  };

  const sweep = () => {
    const t = now();
    for (let i = fresh.length - 1; i >= 0; i--) {
      const c = fresh[i];
      if (c === undefined) continue;
      // A request head has begun: Node's headersTimeout times it from its first byte.
      if (c.socket.bytesRead > 0) {
        forget(c);
        continue;
      }
      if (t - c.since < headerMs) continue;
      forget(c);
      c.socket.destroy();
    }
    // From the end: a swap-remove only moves an element already seen into the place being left.
    for (let i = reading.length - 1; i >= 0; i--) {
      const ex = reading[i];
      if (ex === undefined) continue; // shrank under a timedOut callback
      const req = ex.req;
      // Done reading, or answered already (a late timeout would only cut a response under way).
      if (req.complete || req.destroyed || ex.res.headersSent) {
        unwatch(ex);
        continue;
      }
      const read = req.socket?.bytesRead ?? 0;
      if (read !== ex.bodyBytesSeen || req.readableFlowing !== true) {
        ex.bodyBytesSeen = read;
        ex.bodyQuietSince = t;
        continue;
      }
      if (t - ex.bodyQuietSince < bodyMs) continue;
      unwatch(ex);
      timedOut(ex);
    }
  };
  if (bodyMs > 0 || headerMs > 0) {
    timer = setInterval(sweep, sweepEvery(options));
    // Never what keeps the process alive.
    timer.unref();
  }

  return {
    accepted(socket: Tracked) {
      if (headerMs <= 0) return;
      const c: FreshConnection = { socket, since: now(), index: fresh.length };
      fresh.push(c);
      socket[FRESH] = c;
      socket.once('close', () => forget(c));
    },
    started(ex, hasBody) {
      const c = (ex.socket as Tracked | null)?.[FRESH];
      if (c !== undefined) forget(c);
      if (!hasBody || bodyMs <= 0) return;
      ex.bodyBytesSeen = ex.socket?.bytesRead ?? 0;
      ex.bodyQuietSince = now();
      if (ex.bodyWatchIndex >= 0) return;
      ex.bodyWatchIndex = reading.length;
      reading.push(ex);
    },
    finished(ex) {
      unwatch(ex);
    },
    stop() {
      clearInterval(timer);
      for (const c of fresh) {
        c.index = -1;
        c.socket[FRESH] = undefined;
      }
      fresh.length = 0;
      for (const ex of reading) ex.bodyWatchIndex = -1;
      reading.length = 0;
    },
  };
}
