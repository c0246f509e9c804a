/** A response cut short: the first cause noted for the log, and the client connection broken. */
import type { SentRequest } from '../proxy/send.js';
import { now, type CutMark, type Exchange } from '../runtime/exchange.js';

/** Note, once (the first cause wins), that the response is cut, with the bytes it had put on the wire. */
export function markCut(ex: Exchange, by: CutMark['by'], reason: CutMark['reason'], sent?: SentRequest): void {
  if (ex.cut !== undefined) return;
  const socket = ex.socket;
  const bytes = socket !== null && ex.socketBytesAtStart >= 0 ? socket.bytesWritten - ex.socketBytesAtStart : 0;
  ex.cut = { by, reason, time: now(), bytes, sent };
}

/** Break the client connection: the head is already out, so an error can only be signalled by closing. */
export function breakResponse(ex: Exchange, by: CutMark['by'], reason: CutMark['reason'], sent?: SentRequest): void {
  markCut(ex, by, reason, sent);
  ex.responseBroken = true;
  ex.res.destroy();
}

/**
 * Break the client connection once what was written has left: a last event a plugin wrote before failing the
 * body (an error event) still reaches the client, which then sees the connection close without the body's
 * end. A client that stops reading is cut off after a few seconds.
 */
export function breakResponseAfterWrites(ex: Exchange, by: CutMark['by'], reason: CutMark['reason']): void {
  markCut(ex, by, reason);
  ex.responseBroken = true;
  const socket = ex.res.socket;
  if (socket === null || socket.destroyed) {
    ex.res.destroy();
    return;
  }
  const destroy = () => ex.res.destroy();
  socket.once('finish', destroy);
  setTimeout(destroy, 5_000).unref();
  socket.end();
}
