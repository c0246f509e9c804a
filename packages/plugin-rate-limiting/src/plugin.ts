/**
 * rate-limiting (Kong OSS, PRIORITY 910, access phase): requests per second, minute, hour, day, month and
 * year, per consumer (or credential, IP, service, header value, path, consumer group), counted in this
 * process (`local`) or in Redis, shared by every replica (`redis`). One atomic Redis round trip decides
 * and counts a request before it goes upstream; a refused request is not counted. Refusals come in the
 * client's format with Retry-After; answers carry Kong's RateLimit-* / X-RateLimit-* headers.
 */
import { definePlugin, GatewayError, packageVersion, type Logger } from '@gw/plugin-api';
import {
  identify,
  localStore,
  periodWindow,
  redisStore,
  StoreUnavailable,
  syncedStore,
  type CounterStore,
  type HitEntry,
} from '@gw/rate-limits';
import { configSchema, resolveConfig, validateConfig, type RateLimitingConfig, type ResolvedConfig } from './config.js';
import { clientHeaders, decide, logValue } from './decision.js';

export interface RateLimitingState {
  resolved: ResolvedConfig;
  store: CounterStore;
  /** Kong's key: `ratelimit:<route id>:<service id>:<identifier>:<window start>:<period>`. */
  routeId: string;
  serviceId: string;
  consumerGroup: string | null;
  logger: Logger;
}

export interface RateLimitingLocal {
  headers?: Record<string, string>;
}

/** Kong's key part for a plugin not scoped to a route or service. */
const EMPTY_UUID = '00000000-0000-0000-0000-000000000000';
const SYNC_RATE_REALTIME = -1;

function storeFor(config: RateLimitingConfig, resolved: ResolvedConfig, logger: Logger): CounterStore {
  if (resolved.redis === undefined) return localStore();
  const options = { target: resolved.redis, timeout: resolved.redis.timeout, faultTolerant: config.fault_tolerant, logger };
  return config.sync_rate === SYNC_RATE_REALTIME ? redisStore(options) : syncedStore({ ...options, syncRate: config.sync_rate });
}

/** Over every instance and reload of this process: what /status and the prometheus plugin report. */
const tally = { refused: 0, offline: 0 };

export const rateLimiting = definePlugin<RateLimitingConfig, RateLimitingState, RateLimitingLocal>({
  name: 'rate-limiting',
  version: packageVersion(import.meta.url),
  priority: 910,
  configSchema,
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https'] },
  validate: validateConfig,
  async init(config, services) {
    const resolved = resolveConfig(config);
    const store = storeFor(config, resolved, services.logger);
    // Start with a connection, or a fault logged, rather than with the first request.
    if (store.whenReady !== undefined && resolved.redis !== undefined) await store.whenReady(resolved.redis.timeout);
    return {
      resolved,
      store,
      routeId: services.scope?.route ?? EMPTY_UUID,
      serviceId: services.scope?.service ?? EMPTY_UUID,
      consumerGroup: services.scope?.consumerGroup ?? null,
      logger: services.logger,
    };
  },
  close(state) {
    state.store.release();
  },
  async access({ ctx, config, state, local }) {
    const now = Date.now();
    const id = identify(ctx, { kind: config.limit_by, headerName: config.header_name, path: config.path, consumerGroup: state.consumerGroup });
    const { limits } = state.resolved;
    const entries: HitEntry[] = limits.map(({ period, limit }) => {
      const window = periodWindow(period, now);
      return { key: `ratelimit:${state.routeId}:${state.serviceId}:${id}:${window.start}:${period}`, expires: window.end, limit };
    });
    let result;
    try {
      result = await state.store.hit(entries, 1, now);
    } catch (err) {
      // fault_tolerant: false, as Kong: the request fails rather than going through uncounted.
      if (err instanceof StoreUnavailable) throw new GatewayError('GW_ERR_RATE_LIMIT_STORE');
      throw err;
    }
    const decision = decide(limits, result.counts, result.allowed, now, result.offline === true);
    if (result.offline === true) tally.offline++;
    ctx.setSerializeValue('rate_limiting', logValue(decision, config.limit_by, config.policy));
    const headers = config.hide_client_headers ? undefined : clientHeaders(decision, ctx.errorFormat);
    if (!decision.allowed) {
      tally.refused++;
      throw new GatewayError('GW_ERR_RATE_LIMITED', { status: config.error_code, message: config.error_message, headers: headers ?? {} });
    }
    local.headers = headers;
  },
  responseHeaders({ local, response }) {
    if (local.headers === undefined) return;
    Object.assign(response.headers, local.headers);
  },
  status() {
    return {
      values: { refused: tally.refused, counted_offline: tally.offline },
      metrics: [
        { name: 'gw_rate_limiting_refused_total', help: 'Requests rate-limiting refused (its 429)', type: 'counter', samples: [{ value: tally.refused }] },
        {
          name: 'gw_rate_limiting_offline_total',
          help: 'Requests rate-limiting counted in process memory because its Redis was away (fault_tolerant)',
          type: 'counter',
          samples: [{ value: tally.offline }],
        },
      ],
    };
  },
});
