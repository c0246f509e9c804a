/**
 * The status listener of a cluster primary: the node's counters are its workers' summed (each worker
 * reports its snapshot over IPC), with each worker's own, plugin reports included, under `workers`;
 * `/status/ready` is 503 while the primary drains or no worker serves; a plugin's endpoint is combined
 * from every worker's part (StatusEndpoint.cluster: the prometheus plugin's /metrics), or, without that,
 * answered by one worker.
 */
import { Hono } from 'hono';
import type { JsonValue, Logger, NodeStatus, PluginStatusReport } from '@gw/plugin-api';
import type { AnyPlugin } from '../runtime/registry.js';
import { describe } from '../runtime/plan.js';
import { statusBody, type StatusSnapshot } from '../status/status-app.js';
import { GW_VERSION } from '../server/version.js';
import type { WorkerPart, WorkerSet } from './worker-set.js';

/** Numbers added up member by member; anything else is the first worker's. */
function sumJson(values: JsonValue[]): JsonValue {
  const [first] = values;
  if (typeof first === 'number') return values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first ?? null;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(first)) {
    out[key] = sumJson(values.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined)).filter((v): v is JsonValue => v !== undefined));
  }
  return out;
}

function sumReports(parts: StatusSnapshot[]): [string, PluginStatusReport][] {
  const byPlugin = new Map<string, PluginStatusReport[]>();
  for (const part of parts) for (const [name, report] of part.plugins) byPlugin.set(name, [...(byPlugin.get(name) ?? []), report]);
  return [...byPlugin].map(([name, reports]) => {
    const values = reports.map((r) => r.values).filter((v) => v !== undefined);
    return [name, values.length > 0 ? { values: sumJson(values as JsonValue[]) as Record<string, JsonValue> } : {}];
  });
}

/** The whole node: every worker's counters added up. */
export function sumSnapshots(parts: StatusSnapshot[], configuration: { hash: string; loadedAt: number }, closing: boolean): StatusSnapshot {
  const add = (get: (s: StatusSnapshot) => number) => parts.reduce((sum, s) => sum + get(s), 0);
  return {
    totalRequests: add((s) => s.totalRequests),
    inFlight: add((s) => s.inFlight),
    connections: { accepted: add((s) => s.connections.accepted), active: add((s) => s.connections.active) },
    memory: { rss: add((s) => s.memory.rss), heapTotal: add((s) => s.memory.heapTotal), heapUsed: add((s) => s.memory.heapUsed), external: add((s) => s.memory.external) },
    idleCollections: add((s) => s.idleCollections),
    configuration,
    closing,
    plugins: sumReports(parts),
  };
}

function nodeStatus(nodeId: string, s: StatusSnapshot): NodeStatus {
  return {
    nodeId,
    version: GW_VERSION,
    totalRequests: () => s.totalRequests,
    inFlight: () => s.inFlight,
    connections: () => s.connections,
    configuration: () => s.configuration,
    closing: () => s.closing,
    pluginReports: () => new Map(s.plugins),
  };
}

export interface ClusterStatusOptions {
  workers: WorkerSet;
  plugins: readonly AnyPlugin[];
  nodeId: string;
  closing(): boolean;
  logger: Logger;
}

export function createClusterStatusApp({ workers, plugins, nodeId, closing, logger }: ClusterStatusOptions): Hono {
  const app = new Hono();
  const whole = async () => {
    const parts = await workers.snapshots();
    const answered = parts.filter((p): p is WorkerPart<StatusSnapshot> & { value: StatusSnapshot } => p.value !== undefined);
    return { parts, total: sumSnapshots(answered.map((p) => p.value), workers.current(), closing()) };
  };

  app.get('/status', async (c) => {
    const { parts, total } = await whole();
    const body = statusBody(total);
    body.workers = parts.map((p): JsonValue => {
      if (p.value === undefined) return { id: p.id, pid: p.pid, error: p.error ?? 'no answer' };
      const own = statusBody(p.value);
      const entry: Record<string, JsonValue> = { id: p.id, pid: p.pid, server: own.server!, memory: own.memory!, configuration_hash: own.configuration_hash! };
      // What a sum can't say (a circuit's state, a target's in-flight count) is each worker's own.
      if (own.plugins !== undefined) entry.plugins = own.plugins;
      return entry;
    });
    return c.json(body);
  });
  app.get('/status/ready', (c) => {
    if (closing()) return c.json({ message: 'draining: not accepting new requests' }, 503);
    if (workers.readyCount() === 0) return c.json({ message: 'no worker is serving' }, 503);
    return c.json({ message: 'ready' }, 200);
  });
  for (const plugin of plugins) {
    for (const endpoint of plugin.statusEndpoints ?? []) {
      app.get(endpoint.path, async (c) => {
        try {
          if (!endpoint.cluster) {
            const forwarded = await workers.forward(endpoint.path, c.req.url);
            return new Response(forwarded.body, { status: forwarded.status, headers: forwarded.headers });
          }
          const { total } = await whole();
          const parts = await workers.collect(endpoint.path, c.req.url);
          const failed = parts.find((p) => p.error !== undefined);
          // A part missing would make counters go down: a failed scrape is the honest answer.
          if (failed) throw new Error(`worker ${failed.id}: ${failed.error}`);
          return await endpoint.cluster.combine(parts.map((p) => p.value), c.req.raw, nodeStatus(nodeId, total));
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
