/**
 * gw's own HTTP API, on a listener of its own (Kong's `status_listen`): health and counters for load
 * balancers and probes. It is a hono app because these are ordinary routed endpoints; proxy traffic never
 * passes through it (the proxy listener is a raw Node handler: server/gateway.ts, decisions/0008).
 *
 *   GET /status        counters, memory and the configuration hash (Kong's shape where Kong has a field)
 *   GET /status/ready  200 {"message":"ready"} while serving; 503 once draining (take me out of rotation)
 */
import { Hono } from 'hono';

export interface StatusSource {
  /** Requests received on the proxy listener since start. */
  totalRequests(): number;
  /** Requests still being proxied. */
  inFlight(): number;
  /** Client connections: accepted since start, open now. */
  connections(): { accepted: number; active: number };
  /** Hash of the configuration now serving (changes on reload). */
  configurationHash(): string;
  /** The gateway is draining (SIGTERM): not ready for new traffic. */
  closing(): boolean;
  /** Full collections run because the gateway went idle (server/idle-gc.ts). */
  idleCollections(): number;
}

export function createStatusApp(source: StatusSource): Hono {
  const app = new Hono();
  app.get('/status', (c) => {
    const connections = source.connections();
    const memory = process.memoryUsage();
    return c.json({
      server: {
        total_requests: source.totalRequests(),
        connections_accepted: connections.accepted,
        connections_handled: connections.accepted,
        connections_active: connections.active,
        requests_in_flight: source.inFlight(),
      },
      memory: {
        rss_bytes: memory.rss,
        heap_total_bytes: memory.heapTotal,
        heap_used_bytes: memory.heapUsed,
        external_bytes: memory.external,
        idle_collections: source.idleCollections(),
      },
      configuration_hash: source.configurationHash(),
    });
  });
  app.get('/status/ready', (c) =>
    source.closing() ? c.json({ message: 'draining: not accepting new requests' }, 503) : c.json({ message: 'ready' }, 200),
  );
  app.notFound((c) => c.json({ message: 'Not found' }, 404));
  return app;
}
