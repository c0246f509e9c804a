/**
 * GET /metrics: the node gauges set from the status listener's view, the request metrics while an
 * instance is configured, and the metrics other plugins report about themselves (`status()`), in
 * Prometheus' text format as prom-client writes it.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Logger, NodeStatus, PluginMetric } from '@gw/plugin-api';
import { hashNumber } from './hash.js';
import type { NodeMetrics } from './metrics.js';

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;


export function setNodeGauges(gauges: NodeMetrics, node: NodeStatus): void {
  const id = node.nodeId;
  const { accepted, active } = node.connections();
  const total = node.totalRequests();
  const inFlight = node.inFlight();
  const set = (state: string, value: number) => gauges.connections.set({ node_id: id, subsystem: 'http', state }, value);
  set('accepted', accepted);
  // Node hands every accepted connection to the server: handled is accepted, as nginx without limits.
  set('handled', accepted);
  set('total', total);
  set('active', active);
  // HTTP/1.1 has one request at a time per connection: one in flight is a connection writing its answer
  // (nginx's "writing" includes waiting for the upstream), the other open ones are idle keep-alives.
  set('writing', Math.min(inFlight, active));
  set('waiting', Math.max(0, active - inFlight));
  gauges.requests.set({ node_id: id, subsystem: 'http' }, total);
  gauges.nodeInfo.set({ node_id: id, version: node.version }, 1);
  const memory = process.memoryUsage();
  gauges.workerMemory.set({ node_id: id, pid: String(process.pid), kong_subsystem: 'http' }, memory.heapUsed);
  gauges.rss.set({ node_id: id }, memory.rss);
  gauges.inFlight.set({ node_id: id }, inFlight);
  const { hash, loadedAt } = node.configuration();
  gauges.configHash.set({ node_id: id }, hashNumber(hash));
  gauges.configLoaded.set({ node_id: id }, loadedAt / 1000);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The metrics other plugins report, re-set on each scrape in a registry of their own. A family whose
 * name is taken (by ours or another plugin's) or invalid is left out, and logged once.
 */
export function createPluginMetrics(isTaken: (name: string) => boolean, logger: () => Logger | undefined) {
  const registry = new Registry();
  const families = new Map<string, { metric: Counter<string> | Gauge<string>; shape: string }>();
  const refused = new Set<string>();
  const refuse = (key: string, why: string) => {
    if (refused.has(key)) return;
    refused.add(key);
    logger()?.warn(`prometheus: plugin ${why}; it is not exported`);
  };

  const update = (plugin: string, metric: PluginMetric) => {
    const labelNames = [...new Set(metric.samples.flatMap((s) => Object.keys(s.labels ?? {})))].sort();
    const shape = `${plugin}\u0000${metric.type}\u0000${labelNames.join(',')}`;
    if (!NAME.test(metric.name) || labelNames.some((l) => !LABEL.test(l) || l.startsWith('__'))) {
      return refuse(`${plugin}:${metric.name}`, `${plugin}'s metric ${metric.name} has an invalid name or label`);
    }
    let family = families.get(metric.name);
    if (family === undefined) {
      if (isTaken(metric.name)) return refuse(`${plugin}:${metric.name}`, `${plugin}'s metric ${metric.name} has the name of one of prometheus' own`);
      const options = { name: metric.name, help: metric.help, labelNames, registers: [registry] };
      family = { metric: metric.type === 'counter' ? new Counter(options) : new Gauge(options), shape };
      families.set(metric.name, family);
    } else if (family.shape !== shape) {
      return refuse(`${plugin}:${metric.name}:${shape}`, `${plugin}'s metric ${metric.name} changed its type or labels, or another plugin has one of that name`);
    }
    const target = family.metric;
    target.reset();
    for (const sample of metric.samples) {
      if (!Number.isFinite(sample.value)) continue;
      const labels = Object.fromEntries(labelNames.map((l) => [l, sample.labels?.[l] ?? '']));
      if (target instanceof Gauge) target.set(labels, sample.value);
      else if (sample.value >= 0) target.inc(labels, sample.value);
    }
  };

  return {
    registry,
    update(node: NodeStatus) {
      const seen = new Set<string>();
      for (const [plugin, report] of node.pluginReports()) {
        for (const metric of report.metrics ?? []) {
          if (seen.has(metric.name)) {
            refuse(`${plugin}:${metric.name}:twice`, `${plugin}'s metric ${metric.name} is reported twice`);
            continue;
          }
          seen.add(metric.name);
          update(plugin, metric);
        }
      }
      // A family no plugin reports any more has no samples.
      for (const [name, family] of families) if (!seen.has(name)) family.metric.reset();
    },
  };
}
