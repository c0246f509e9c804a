// One loopback port speaking HTTP/1.1 and cleartext HTTP/2 (prior knowledge): the AWS SDK's default
// handler is HTTP/2, Claude Code and most gateways use HTTP/1.1.
import { createServer as createHttp1Server } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createServer as createHttp2Server } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;
export type Handler = (req: AnyRequest, res: AnyResponse) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

export interface Listening {
  address: AddressInfo;
  close(): Promise<void>;
}

/** Both protocols share a listener; the first bytes of a connection tell them apart. */
export async function listen(handler: Handler, port: number, host: string): Promise<Listening> {
  const http1 = createHttp1Server(handler);
  const http2 = createHttp2Server(handler);
  const sockets = new Set<Socket>();

  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A peer resetting the connection must not crash the emulator (the servers add their own handlers).
    socket.on('error', () => socket.destroy());
    let seen = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const length = Math.min(seen.length, PREFACE.length);
      const isHttp2 = seen.subarray(0, length).equals(PREFACE.subarray(0, length));
      if (isHttp2 && seen.length < PREFACE.length) return; // wait for the rest of the preface
      socket.off('data', sniff);
      // Put the sniffed bytes back and hand the socket over. HTTP/2 drains the buffer into its native
      // session itself (resuming would race it for the next bytes); HTTP/1.1 expects a flowing socket.
      socket.pause();
      socket.unshift(seen);
      (isHttp2 ? http2 : http1).emit('connection', socket);
      if (!isHttp2) socket.resume();
    };
    socket.on('data', sniff);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

  return {
    address: server.address() as AddressInfo,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Drops the response mid-body: the TCP connection on HTTP/1.1, the stream (RST_STREAM) on HTTP/2. */
export function cut(res: AnyResponse): void {
  if ('stream' in res) res.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  else res.socket?.destroy();
}

export function isClosed(res: AnyResponse): boolean {
  return 'stream' in res ? res.stream.destroyed : res.destroyed;
}

export function writeHead(res: AnyResponse, status: number, headers: Record<string, string | number>): void {
  (res as ServerResponse).writeHead(status, headers);
}

export function write(res: AnyResponse, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => (res as ServerResponse).write(bytes, (err) => (err ? reject(err) : resolve())));
}

export function end(res: AnyResponse, body?: string): void {
  (res as ServerResponse).end(body);
}
