/**
 * nginx's lingering close, for a response sent before the request body was read to its end (a 413 over
 * the body limit, an upstream that failed mid-upload): the connection can't be reused, but closing it
 * at once, with the client's bytes still arriving, makes the kernel answer them with a reset, and a reset
 * can destroy the response before the client reads it (the client sees EPIPE or ECONNRESET instead of
 * the 413). So after the response gw half-closes (FIN), keeps reading and discarding what the client
 * still sends, and closes once the client has sent the whole request, has gone quiet for
 * LINGERING_TIMEOUT_MS, or LINGERING_TIME_MS have passed (nginx's `lingering_timeout` 5 s and
 * `lingering_time` 30 s). Only these connections pay for it: nothing here runs for other requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** nginx's `lingering_time`: the longest gw reads a finished request's leftovers. */
export const LINGERING_TIME_MS = 30_000;
/** nginx's `lingering_timeout`: the longest silence from the client while lingering. */
export const LINGERING_TIMEOUT_MS = 5_000;

const REQUEST = Symbol('lingering request');
type LingeringSocket = Socket & { [REQUEST]?: IncomingMessage };

/** The response must be the connection's last; the request's unread body is discarded, then the connection closes. */
export function closeLingering(req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  const socket = req.socket as LingeringSocket | null;
  if (socket === null || socket.destroyed) return;
  socket[REQUEST] = req;
  // Node ends a connection it won't reuse with destroySoon() once the response is written: this
  // connection lingers instead.
  socket.destroySoon = lingerThenDestroy;
  // From now on what the client sends is read (so it never piles up unread) and thrown away.
  req.resume();
}

function lingerThenDestroy(this: LingeringSocket): void {
  const socket = this;
  const req = socket[REQUEST];
  socket[REQUEST] = undefined;
  if (socket.writable) socket.end();
  // Never before the response (and the FIN) is out: destroy() would drop what is still queued.
  const close = () => {
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  if (req === undefined || req.complete || req.destroyed) return close();
  const deadline = setTimeout(close, LINGERING_TIME_MS);
  const quiet = setTimeout(close, LINGERING_TIMEOUT_MS);
  req.on('data', () => quiet.refresh());
  // The whole request is in: nothing more is coming that a close could answer with a reset.
  req.once('end', close);
  socket.once('end', close);
  socket.once('close', () => {
    clearTimeout(deadline);
    clearTimeout(quiet);
  });
}
