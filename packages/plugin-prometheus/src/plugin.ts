/**
 * prometheus (Kong PRIORITY 13, log phase): Kong's metrics, at GET /metrics on the status listener.
 *
 * The registries belong to the plugin definition, not to an instance: counters keep counting across
 * SIGHUP reloads, as Kong's shared dict does, and every instance (global, per service, per route, per
 * consumer) counts into the same families with its own switches. `createPrometheusPlugin()` makes a
 * definition with registries of its own (tests, two gateways in one process); the default export is one.
 * prom-client is loaded by the first instance or the first scrape (engine.ts).
 */
import { AI_CALL, definePlugin, packageVersion, type Logger, type PluginDefinition } from '@gw/plugin-api';
import { configSchema, validateConfig, type PrometheusConfig } from './config.js';
import type { Engine } from './engine.js';

export interface PrometheusState {
  readonly logger: Logger;
  readonly engine: Engine;
}

export function createPrometheusPlugin(): PluginDefinition<PrometheusConfig, PrometheusState> {
  // Instances alive now: while none is configured only node metrics are exported (Kong's IS_PROMETHEUS_ENABLED).
  const live = new Set<PrometheusState>();
  let loading: Promise<Engine> | undefined;
  const engine = () => (loading ??= import('./engine.js').then(({ createEngine }) => createEngine(() => [...live].at(-1)?.logger)));

  return definePlugin<PrometheusConfig, PrometheusState>({
    name: 'prometheus',
    version: packageVersion(import.meta.url),
    priority: 13,
    configSchema,
    validate: validateConfig,
    async init(_config, services) {
      const state = { logger: services.logger, engine: await engine() };
      live.add(state);
      return state;
    },
    close(state) {
      live.delete(state);
    },
    log({ ctx, config, state, record }) {
      state.engine.observe(config, record, ctx.read(AI_CALL));
    },
    statusEndpoints: [
      {
        path: '/metrics',
        async handle(_request, status) {
          const e = await engine();
          return new Response(await e.scrape(status, live.size > 0), { headers: { 'content-type': e.contentType } });
        },
        // gw start --workers: each worker's counters, summed by prom-client's cluster aggregation in the primary.
        cluster: {
          collect: async (_request, status) => (await engine()).collect(status, live.size > 0),
          async combine(parts) {
            const e = await engine();
            return new Response(await e.combine(parts), { headers: { 'content-type': e.contentType } });
          },
        },
      },
    ],
  });
}

export const prometheus = createPrometheusPlugin();
export default prometheus;
