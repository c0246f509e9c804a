/** Reading a client body into memory, with a hard limit that also holds for chunked bodies. */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '@gw/plugin-api';
import type { AbortLike } from './abort.js';

export function readBody(req: IncomingMessage, limit: number, signal: AbortLike, onBytes: (n: number) => void): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      cleanup();
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      onBytes(chunk.length);
      if (total > limit) fail(new GatewayError('GW_ERR_BODY_TOO_LARGE'));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => fail(new GatewayError('GW_ERR_BAD_REQUEST', { message: 'client request body could not be read', cause: err }));
    const onClose = () => {
      if (!req.readableEnded) fail(new GatewayError('GW_ERR_BAD_REQUEST', { message: 'client closed the connection while sending the body' }));
    };
    const onAbort = () => fail(new GatewayError('GW_ERR_BAD_REQUEST', { message: 'request aborted' }));
    if (req.readableEnded) {
      resolve(new Uint8Array(0));
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    req.resume();
  });
}
