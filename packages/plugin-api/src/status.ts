/**
 * What a plugin adds to gw's status listener (`gw start --status-listen`, Kong's `status_listen`):
 * endpoints of its own (the prometheus plugin's `GET /metrics`, as a Kong plugin's `status_api.lua`) and
 * counters of its own (spans an exporter dropped) that `GET /status` shows and a metrics plugin exports.
 *
 * Both belong to the plugin definition, not to a configured instance: they exist while the plugin is
 * loaded (`--plugins`), whichever configs come and go on reload, as Kong serves a loaded plugin's
 * status API whether or not an instance is configured.
 */
import type { JsonValue } from './json.js';

/** The gateway node as the status listener sees it. Every call reads the value now. */
export interface NodeStatus {
  /** Random per process start (Kong's node_id). */
  readonly nodeId: string;
  /** gw's version. */
  readonly version: string;
  /** Requests received on the proxy listeners since start. */
  totalRequests(): number;
  /** Requests still being proxied. */
  inFlight(): number;
  /** Client connections: accepted since start, open now. */
  connections(): { accepted: number; active: number };
  /** The configuration now serving: its hash (32 hex digits, Kong's configuration_hash) and when it was loaded (ms since epoch). */
  configuration(): { hash: string; loadedAt: number };
  /** Draining (SIGTERM): not ready for new traffic. */
  closing(): boolean;
  /** What every loaded plugin reports through `status()`, by plugin name (plugins without one are absent). */
  pluginReports(): ReadonlyMap<string, PluginStatusReport>;
}

/**
 * A GET endpoint on the status listener. `path` is exact (no patterns), starts with `/`, and may not be
 * gw's own (`/status`, `/status/ready`) nor another plugin's: gw refuses to start otherwise. HEAD is
 * answered from GET. The handler gets a web `Request` and returns a web `Response`; a throw becomes a 500
 * `{"message":"An unexpected error occurred"}` and is logged with the plugin's name.
 */
export interface StatusEndpoint {
  path: string;
  handle(request: Request, node: NodeStatus): Response | Promise<Response>;
  /**
   * With `gw start --workers N`, the status listener is served by the primary, which holds no requests:
   * each worker's `collect` gives its part (JSON, or structured-clone data), and the primary's `combine`
   * makes the answer from all of them (the prometheus plugin sums its counters across workers). `node`
   * there is the whole node: counters summed over the workers. Without `cluster`, the primary asks one
   * worker's `handle`, and the answer covers that worker only.
   */
  cluster?: {
    collect(request: Request, node: NodeStatus): unknown;
    combine(parts: unknown[], request: Request, node: NodeStatus): Response | Promise<Response>;
  };
}

/** One sample of a plugin metric; label values must come from a small, fixed set (never request data). */
export interface PluginMetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/**
 * A metric a plugin keeps about itself, exported as is by a metrics plugin. Name it with your prefix and
 * Prometheus' conventions (`gw_otel_spans_dropped_total`: a counter ends in `_total`).
 */
export interface PluginMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: readonly PluginMetricSample[];
}

/** What `status()` returns: values for `GET /status` (under `plugins.<name>`) and metrics. */
export interface PluginStatusReport {
  values?: Readonly<Record<string, JsonValue>>;
  metrics?: readonly PluginMetric[];
}
