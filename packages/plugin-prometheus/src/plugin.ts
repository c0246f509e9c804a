/**
 * prometheus (Kong PRIORITY 13, log phase): Kong's metrics, at GET /metrics on the status listener.
 *
 * The registries belong to the plugin definition, not to an instance: counters keep counting across
 * SIGHUP reloads, as Kong's shared dict does, and every instance (global, per service, per route, per
 * consumer) counts into the same families with its own switches. `createPrometheusPlugin()` makes a
 * definition with registries of its own (tests, two gateways in one process); the default export is one.
 */
import { Registry } from 'prom-client';
import { AI_CALL, definePlugin, packageVersion, type Logger, type PluginDefinition } from '@gw/plugin-api';
import { configSchema, validateConfig, type PrometheusConfig } from './config.js';
import { CONTENT_TYPE, createPluginMetrics, setNodeGauges } from './exposition.js';
import { nodeMetrics, requestMetrics } from './metrics.js';
import { observe } from './observe.js';

export interface PrometheusState {
  readonly logger: Logger;
}

export function createPrometheusPlugin(): PluginDefinition<PrometheusConfig, PrometheusState> {
  const requests = new Registry();
  const metrics = requestMetrics(requests);
  const node = new Registry();
  const gauges = nodeMetrics(node);
  // Instances alive now: while none is configured only node metrics are exported (Kong's IS_PROMETHEUS_ENABLED).
  const live = new Set<PrometheusState>();
  const lastLogger = () => [...live].at(-1)?.logger;
  const others = createPluginMetrics((name) => requests.getSingleMetric(name) !== undefined || node.getSingleMetric(name) !== undefined, lastLogger);

  return definePlugin<PrometheusConfig, PrometheusState>({
    name: 'prometheus',
    version: packageVersion(import.meta.url),
    priority: 13,
    configSchema,
    validate: validateConfig,
    init(_config, services) {
      const state = { logger: services.logger };
      live.add(state);
      return state;
    },
    close(state) {
      live.delete(state);
    },
    log({ ctx, config, record }) {
      observe(metrics, config, record, ctx.read(AI_CALL));
    },
    statusEndpoints: [
      {
        path: '/metrics',
        async handle(_request, status) {
          setNodeGauges(gauges, status);
          others.update(status);
          const parts = [await node.metrics(), await others.registry.metrics()];
          if (live.size > 0) parts.push(await requests.metrics());
          return new Response(parts.filter((p) => p !== '').join(''), { headers: { 'content-type': CONTENT_TYPE } });
        },
      },
    ],
  });
}

export const prometheus = createPrometheusPlugin();
export default prometheus;
