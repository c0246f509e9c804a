/** Loopback HTTP helpers for tests: an upstream with a custom handler, a gateway, and a plain client. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@gw/plugin-api';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';
import type { GatewayConfig } from '../../src/config/model.js';
import { captureGwOutput } from '../../../../test/support/gw-output.js';

export interface Upstream {
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** `handler` may be async: if it fails, its response fails (a 500 naming the error, or a reset once the head is out). */
export async function startUpstream(handler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown): Promise<Upstream> {
  const server = http.createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end(`upstream handler failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface EchoBody {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** Answers every request with a JSON description of it. */
export function startEcho(): Promise<Upstream> {
  return startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: EchoBody = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() };
      const body = JSON.stringify(echo);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-upstream': 'echo' });
      res.end(body);
    });
  });
}

export interface RecordingLogger extends Logger {
  lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const capture = captureGwOutput('core-gateway');
  const say = (line: string) => {
    lines.push(line);
    capture(`${line}\n`);
  };
  return { lines, info: (m) => say(`info ${m}`), warn: (m) => say(`warn ${m}`), error: (m) => say(`error ${m}`) };
}

export interface RunningGateway {
  gateway: Gateway;
  port: number;
  logger: RecordingLogger;
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, plugins: AnyPlugin[] = [], options: Pick<GatewayOptions, 'headerPolicy' | 'outboundProxy'> = {}): Promise<RunningGateway> {
  const logger = recordingLogger();
  const gateway = await createGateway({ config, plugins: new Map(plugins.map((p) => [p.name, p])), logger, ...options });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return { gateway, port, logger, close: () => gateway.close({ drainMs: 1000 }) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  agent?: http.Agent | false;
}

/** One request to 127.0.0.1:port, body read completely. */
export function send(port: number, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/', headers: o.headers, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A promise plus its resolve function, for stepping servers and plugins through a test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Upstream that holds requests whose path is /hold until released; answers with the x-version header. */
export async function holdingUpstream(cleanups: Array<() => Promise<void>>) {
  const release = deferred();
  const arrived = deferred();
  const up = await startUpstream(async (req, res) => {
    if (req.url === '/hold') {
      arrived.resolve();
      await release.promise;
    }
    res.end(String(req.headers['x-version']));
  });
  cleanups.push(up.close);
  return { up, release, arrived };
}
