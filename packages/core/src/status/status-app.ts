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

export function createStatusApp(source: StatusSource, plugins: readonly AnyPlugin[], logger: Logger): Hono {
  const app = new Hono();
  app.get('/status', (c) => {
    const connections = source.connections();
    const memory = process.memoryUsage();
    const body: Record<string, JsonValue> = {
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
      configuration_hash: source.configuration().hash,
    };
    const reported: Record<string, JsonValue> = {};
    for (const [name, report] of source.pluginReports()) if (report.values !== undefined) reported[name] = { ...report.values };
    if (Object.keys(reported).length > 0) body.plugins = reported;
    return c.json(body);
  });
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
