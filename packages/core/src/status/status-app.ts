/**
 * gw's own HTTP API, on a listener of its own (Kong's `status_listen`): health and counters for load
 * balancers and probes. It is a hono app because these are ordinary routed endpoints; proxy traffic never
 * passes through it (the proxy listener is a raw Node handler: server/gateway.ts, decisions/0008).
 *
 *   GET /status        counters, memory and the configuration hash (Kong's shape where Kong has a field),
 *                      plus `plugins.<name>`: what loaded plugins report about themselves (`status()`)
 *   GET /status/ready  200 {"message":"ready"} while serving; 503 once draining (take me out of rotation)
 *   GET <path>         each loaded plugin's `statusEndpoints` (the prometheus plugin's /metrics)
 */
import { Hono } from 'hono';
import type { JsonValue, Logger, NodeStatus, PluginStatusReport } from '@gw/plugin-api';
import type { AnyPlugin } from '../runtime/registry.js';
import { describe } from '../runtime/plan.js';

export interface StatusSource extends NodeStatus {
  /** Full collections run because the gateway went idle (server/idle-gc.ts). */
  idleCollections(): number;
}

/** Each loaded plugin's report, by name; a plugin whose `status()` throws is left out (and logged). */
export function pluginReports(plugins: readonly AnyPlugin[], logger: Logger): Map<string, PluginStatusReport> {
  const reports = new Map<string, PluginStatusReport>();
  for (const plugin of plugins) {
    if (plugin.status === undefined) continue;
    try {
      reports.set(plugin.name, plugin.status());
    } catch (err) {
      logger.error(`plugin ${plugin.name} failed in status: ${describe(err)}`);
    }
  }
  return reports;
}

/** One process's status as plain data: what GET /status shows, and what a cluster worker sends its primary. */
export interface StatusSnapshot {
  totalRequests: number;
  inFlight: number;
  connections: { accepted: number; active: number };
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number };
  idleCollections: number;
  configuration: { hash: string; loadedAt: number };
  closing: boolean;
  /** Each plugin's `status()` report, by plugin name. */
  plugins: [string, PluginStatusReport][];
}

export function snapshotOf(source: StatusSource): StatusSnapshot {
  const memory = process.memoryUsage();
  return {
    totalRequests: source.totalRequests(),
    inFlight: source.inFlight(),
    connections: source.connections(),
    memory: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external },
    idleCollections: source.idleCollections(),
    configuration: source.configuration(),
    closing: source.closing(),
    plugins: [...source.pluginReports()],
  };
}

/** GET /status's body (Kong's shape where Kong has a field). */
export function statusBody(s: StatusSnapshot): Record<string, JsonValue> {
  const body: Record<string, JsonValue> = {
    server: {
      total_requests: s.totalRequests,
      connections_accepted: s.connections.accepted,
      connections_handled: s.connections.accepted,
      connections_active: s.connections.active,
      requests_in_flight: s.inFlight,
    },
    memory: {
      rss_bytes: s.memory.rss,
      heap_total_bytes: s.memory.heapTotal,
      heap_used_bytes: s.memory.heapUsed,
      external_bytes: s.memory.external,
      idle_collections: s.idleCollections,
    },
    configuration_hash: s.configuration.hash,
  };
  const reported: Record<string, JsonValue> = {};
  for (const [name, report] of s.plugins) if (report.values !== undefined) reported[name] = { ...report.values };
  if (Object.keys(reported).length > 0) body.plugins = reported;
  return body;
}

export function createStatusApp(source: StatusSource, plugins: readonly AnyPlugin[], logger: Logger): Hono {
  const app = new Hono();
  app.get('/status', (c) => c.json(statusBody(snapshotOf(source))));
  app.get('/status/ready', (c) =>
    source.closing() ? c.json({ message: 'draining: not accepting new requests' }, 503) : c.json({ message: 'ready' }, 200),
  );
  for (const plugin of plugins) {
    for (const endpoint of plugin.statusEndpoints ?? []) {
      app.get(endpoint.path, async (c) => {
        try {
          return await endpoint.handle(c.req.raw, source);
        } catch (err) {
          logger.error(`plugin ${plugin.name} failed serving ${endpoint.path}: ${describe(err)}`);
          return c.json({ message: 'An unexpected error occurred' }, 500);
        }
      });
    }
  }
  app.notFound((c) => c.json({ message: 'Not found' }, 404));
  return app;
}
