/**
 * A cluster primary (`gw start --workers N`): what a gateway is to a single process, for N workers. It
 * serves no proxy traffic itself: node:cluster hands the connections it accepts on the shared listeners to
 * the workers in turn. It holds the status listener (the workers' counters summed: status.ts) and the
 * admin API, and it is the LifecycleTarget of the primary's controller: SIGHUP, SIGUSR1, SIGTERM and
 * POST /config reach every worker through it (worker-set.ts), all or none.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from '@gw/plugin-api';
import type { LifecycleTarget, ResolvedSource } from '../lifecycle/controller.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { createClusterStatusApp } from './status.js';
import type { Address } from './protocol.js';
import { createWorkerSet } from './worker-set.js';

export interface PrimaryOptions {
  /** How many workers. */
  workers: number;
  plugins: PluginRegistry;
  /** What the workers serve at start (the texts the primary loaded and checked) and its configuration_hash. */
  source: ResolvedSource;
  hash: string;
  logger: Logger;
  /** The proxy port (0: one picked by the first worker, then kept); the TLS listener's port and pair. */
  port: number;
  tls?: { port: number; pair: { cert: Buffer; key: Buffer } };
}

export interface Primary extends LifecycleTarget {
  /** Starts the workers; resolves with the addresses they bound once all serve, or rejects (none left running). */
  start(): Promise<{ proxy: Address; tls?: Address }>;
  status(request: Request): Response | Promise<Response>;
  listenStatus(port: number, host: string): Promise<Address>;
  listenAdmin(port: number, host: string, fetch: (request: Request) => Response | Promise<Response>): Promise<Address>;
  /** The serving workers' process ids. */
  workerPids(): number[];
}

function listenOn(server: Server, port: number, host: string): Promise<Address> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      resolve({ port: addr.port, host: addr.address });
    });
  });
}

export function createPrimary(options: PrimaryOptions): Primary {
  const nodeId = randomUUID();
  const workers = createWorkerSet({ count: options.workers, logger: options.logger, source: options.source, hash: options.hash, nodeId, port: options.port, tls: options.tls });
  let closing = false;
  const statusApp = createClusterStatusApp({ workers, plugins: [...options.plugins.values()], nodeId, closing: () => closing, logger: options.logger });
  const extra: Server[] = [];
  const serve = (port: number, host: string, fetch: (request: Request) => Response | Promise<Response>) => {
    const server = createAdaptorServer({ fetch, overrideGlobalObjects: false }) as Server;
    extra.push(server);
    return listenOn(server, port, host);
  };
  let closed: Promise<void> | undefined;
  return {
    ...workers.target,
    start: () => workers.start(),
    status: (request) => statusApp.fetch(request),
    listenStatus: (port, host) => serve(port, host, statusApp.fetch),
    listenAdmin: serve,
    workerPids: () => workers.pids(),
    get inFlight() {
      return workers.target.inFlight;
    },
    close(opts) {
      closed ??= (async () => {
        closing = true;
        await workers.target.close(opts);
        // The status listener answers 503 on /status/ready through the drain; it and the admin API go last.
        for (const server of extra) {
          if (!server.listening) continue;
          const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections();
          await stopped;
        }
      })();
      return closed;
    },
  };
}
