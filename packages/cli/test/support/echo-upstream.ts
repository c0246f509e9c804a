/**
 * An upstream on 127.0.0.1 that answers with what it received, as JSON. Requests to `/hold/...` wait until
 * the test calls `release()`, so a test can have a request in flight while it signals gw.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface EchoUpstream {
  url: string;
  received: Received[];
  /** Resolves when the next held request has arrived. */
  nextHeld(): Promise<Received>;
  /** Answer every held request. */
  release(): void;
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const received: Received[] = [];
  let held: (() => void)[] = [];
  let arrivals: ((r: Received) => void)[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
      received.push(entry);
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(entry));
      };
      if (!entry.url.startsWith('/hold')) return answer();
      held.push(answer);
      for (const arrived of arrivals) arrived(entry);
      arrivals = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    nextHeld: () => new Promise((resolve) => arrivals.push(resolve)),
    release() {
      for (const answer of held) answer();
      held = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
