/**
 * A real forward proxy on 127.0.0.1 for the outbound-proxy tests: TooTallNate's `proxy` (CONNECT tunnels
 * and absolute-form forwarding, Basic authentication), with a record of what reached it.
 */
import http from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createProxy } from 'proxy';

export interface SeenRequest {
  method: string;
  /** `host:port` for CONNECT, the absolute URL for a forwarded request. */
  target: string;
  /** Proxy-Authorization as received (undefined when none). */
  authorization: string | undefined;
}

export interface ConnectProxy {
  port: number;
  /** `http://127.0.0.1:<port>`, or with `user:password@` when the proxy wants them. */
  url: string;
  seen: SeenRequest[];
  connects(): SeenRequest[];
  /** TCP connections clients opened to the proxy. */
  connections: number;
  close(): Promise<void>;
}

export async function startConnectProxy(options: { user?: string; password?: string } = {}): Promise<ConnectProxy> {
  const server = createProxy(http.createServer());
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  // Prepended: the record is made before the proxy's own handlers run (and before it authenticates).
  server.prependListener('request', (req: http.IncomingMessage) => seen.push({ method: req.method ?? '', target: req.url ?? '', authorization: req.headers['proxy-authorization'] }));
  server.prependListener('connect', (req: http.IncomingMessage) => seen.push({ method: 'CONNECT', target: req.url ?? '', authorization: req.headers['proxy-authorization'] }));
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { user, password } = options;
  if (user !== undefined && password !== undefined) {
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const credentials = user !== undefined && password !== undefined ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : '';
  return {
    port,
    url: `http://${credentials}127.0.0.1:${port}`,
    seen,
    connects: () => seen.filter((s) => s.method === 'CONNECT'),
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP listener that accepts and never answers (a proxy that hangs). */
export async function startSilentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
