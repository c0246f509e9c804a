/**
 * What the plugin needs prom-client for, loaded on first use (plugin.ts): gw loads every bundled plugin at
 * start, and a gateway that configures no prometheus instance and is never scraped should not pay for it.
 */
import { AggregatorRegistry, Registry } from 'prom-client';
import type { AiCall, LogRecord, Logger, NodeStatus } from '@gw/plugin-api';
import type { PrometheusConfig } from './config.js';
import { CONTENT_TYPE, createPluginMetrics, setNodeGauges } from './exposition.js';
import { nodeMetrics, requestMetrics } from './metrics.js';
import { observe } from './observe.js';

export interface Engine {
  observe(config: PrometheusConfig, record: LogRecord, call: AiCall | undefined): void;
  /** The exposition: node gauges and other plugins' metrics always, request metrics when asked. */
  scrape(node: NodeStatus, withRequests: boolean): Promise<string>;
  /** A worker's part of a cluster scrape (gw start --workers): what scrape() would show, as prom-client's JSON. */
  collect(node: NodeStatus, withRequests: boolean): Promise<unknown>;
  /** The primary's exposition from every worker's part, aggregated by prom-client (counters and histograms summed). */
  combine(parts: unknown[]): Promise<string>;
  readonly contentType: string;
}

export function createEngine(logger: () => Logger | undefined): Engine {
  const requests = new Registry();
  const metrics = requestMetrics(requests);
  const node = new Registry();
  const gauges = nodeMetrics(node);
  const others = createPluginMetrics((name) => requests.getSingleMetric(name) !== undefined || node.getSingleMetric(name) !== undefined, logger);
  return {
    contentType: CONTENT_TYPE,
    observe: (config, record, call) => observe(metrics, config, record, call),
    async scrape(status, withRequests) {
      setNodeGauges(gauges, status);
      others.update(status);
      const parts = [await node.metrics(), await others.registry.metrics()];
      if (withRequests) parts.push(await requests.metrics());
      return parts.filter((p) => p !== '').join('');
    },
    async collect(status, withRequests) {
      setNodeGauges(gauges, status);
      others.update(status);
      return Promise.all([node, others.registry, ...(withRequests ? [requests] : [])].map((r) => r.getMetricsAsJSON()));
    },
    combine: (parts) => AggregatorRegistry.aggregate((parts as Parameters<typeof AggregatorRegistry.aggregate>[0][]).flat()).metrics(),
  };
}
