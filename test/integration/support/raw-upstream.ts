/**
 * A raw-socket HTTP/1.1 upstream for fault injection: it reads each request (head and Content-Length
 * body) and hands the socket to a script that writes whatever bytes the test wants, well-formed or not,
 * and may keep the connection open. Each connection records when its socket closed, so a test sees
 * from the upstream's side whether the gateway dropped the connection.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  /** Request line and headers, as received. */
  head: string;
  body: Buffer;
}

export interface RawConnection {
  socket: net.Socket;
  requests: RawRequest[];
  /** Resolves when the socket closed (by either side). */
  closed: Promise<void>;
  isClosed: boolean;
}

export type RawScript = (socket: net.Socket, request: RawRequest, connection: RawConnection) => void;

export interface RawUpstream {
  url: string;
  port: number;
  connections: RawConnection[];
  close(): Promise<void>;
}

export async function startRawUpstream(script: RawScript): Promise<RawUpstream> {
  const connections: RawConnection[] = [];
  const server = net.createServer((socket) => {
    let markClosed!: () => void;
    const connection: RawConnection = { socket, requests: [], isClosed: false, closed: new Promise<void>((r) => (markClosed = r)) };
    connections.push(connection);
    socket.on('error', () => {});
    socket.on('close', () => {
      connection.isClosed = true;
      markClosed();
    });
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = { head, body: buffered.subarray(end + 4, end + 4 + length) };
        buffered = buffered.subarray(end + 4 + length);
        connection.requests.push(request);
        script(socket, request, connection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One chunk of a chunked body. */
export function chunk(bytes: Uint8Array | string): Buffer {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
}

/** Rejects with `what` if `promise` has not settled after `ms`: a hang fails fast with a reason, not at the test timeout. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
