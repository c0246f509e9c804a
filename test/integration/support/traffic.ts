/** The loopback echo upstream and the client side of the load tests. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Echo {
  port: number;
  close(): Promise<void>;
}

/** The body the echo upstream answers for a path: derived from the path so each request's answer is unique. */
export const echoBody = (path: string) => `echo ${path} ${'x'.repeat(200)}\n`;

/** `?stream` answers in three chunks without content-length (chunked), otherwise with content-length. */
export async function startEcho(): Promise<Echo> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = echoBody(req.url ?? '/');
      if (!(req.url ?? '').includes('stream')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      const third = Math.ceil(body.length / 3);
      res.write(body.slice(0, third));
      setImmediate(() => {
        res.write(body.slice(third, 2 * third));
        setImmediate(() => res.end(body.slice(2 * third)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  requestId: string;
  body: string;
  chunked: boolean;
}

export function get(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          requestId: String(res.headers['x-kong-request-id'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          chunked: res.headers['transfer-encoding'] === 'chunked',
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Runs `count` requests made by `make(i)`, all issued at once (the agent's socket cap queues them). */
export function all<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)));
}

export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 64 });
}

/**
 * One GET on its own connection (`connection: close`), counting every byte the client received:
 * status line, headers and body framing included, which is what the log's `response.size` counts.
 */
export function rawGet(port: number, path: string): Promise<{ bytes: number; requestId: string; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('latin1');
      const id = /\r\nx-kong-request-id: ([^\r]+)\r\n/i.exec(text)?.[1] ?? '';
      resolve({ bytes: raw.length, requestId: id, text });
    });
  });
}

/** A plain route to the echo upstream, with file-log writing to `logPath`. */
export function echoWithFileLog(echoPort: number, logPath: string): string {
  return `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${echoPort}
    routes:
      - name: plain
        paths: [/echo]
plugins:
  - name: file-log
    config:
      path: ${logPath}
`;
}
