/**
 * ai-rate-limiting-advanced (Kong Enterprise, PRIORITY 905): token and cost budgets per window, per
 * consumer (or group, credential, IP, service, header, path) or per policy, counted in this process or in
 * Redis, shared by every replica.
 *
 * Phases. Kong runs this plugin before ai-proxy (770), so in `access` the AI call is not known yet: which
 * provider, which model. gw decides in the `upstream` phase instead, the last moment before the upstream
 * call, where ai-proxy's AI_CALL (published in its `access`) says both; one Redis read there covers every
 * window the request falls under. A refusal thrown there is rendered like any gw error, in the client's
 * format. The request's tokens (or cost) are charged in the `log` phase, from AI_CALL's final usage (a cut
 * stream: what was used, gw's estimate where the upstream never said), in one Redis round trip.
 */
import { AI_CALL, definePlugin, GatewayError, packageVersion, type Logger } from '@gw/plugin-api';
import { identify, localStore, redisStore, syncedStore, type CounterStore, type RedisTarget } from '@gw/rate-limits';
import { configSchema, validateConfig, type AiRateLimitingConfig } from './config.js';
import { amountFor, clientHeaders, countersFor, exhaustedNames, keysToRead, logValue, measure, type Measured } from './decision.js';
import { applicable, compileRules, type Rule } from './rules.js';

export interface AiRateLimitingState {
  rules: Rule[];
  store: CounterStore;
  /** What the log says counts are kept in. */
  strategy: string;
  namespace: string;
  consumerGroup: string | null;
  logger: Logger;
  /** Models already warned about having no price (tokens_count_strategy cost). */
  unpriced: Set<string>;
}

export interface AiRateLimitingLocal {
  decided?: boolean;
  measured?: Measured[];
  refused?: boolean;
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT = 2000;

function redisTarget(config: AiRateLimitingConfig): RedisTarget & { timeout: number } {
  const r = config.redis ?? {};
  return {
    host: r.host ?? '127.0.0.1',
    port: r.port ?? 6379,
    database: r.database ?? 0,
    username: r.username ?? undefined,
    password: r.password ?? undefined,
    ssl: r.ssl ?? false,
    sslVerify: r.ssl_verify ?? true,
    serverName: r.server_name ?? undefined,
    connectTimeout: r.connect_timeout ?? r.timeout ?? DEFAULT_TIMEOUT,
    timeout: r.read_timeout ?? r.timeout ?? DEFAULT_TIMEOUT,
  };
}

function storeFor(config: AiRateLimitingConfig, logger: Logger): { store: CounterStore; strategy: string; wait?: number } {
  if (config.strategy !== 'redis' || config.sync_rate === -1) return { store: localStore('ai-rl'), strategy: 'local' };
  const target = redisTarget(config);
  // Kong's fallback from Redis: always to local counting (ai-rate-limiting-advanced has no fault_tolerant).
  const options = { target, timeout: target.timeout, faultTolerant: true, logger };
  if (!config.sync_rate) return { store: redisStore(options), strategy: 'redis', wait: target.connectTimeout };
  return { store: syncedStore({ ...options, syncRate: config.sync_rate }), strategy: `redis (synced every ${config.sync_rate} s)`, wait: target.connectTimeout };
}

/** Over every instance and reload of this process: what /status and the prometheus plugin report. */
const tally = { refused: 0, charged: 0 };

export const aiRateLimitingAdvanced = definePlugin<AiRateLimitingConfig, AiRateLimitingState, AiRateLimitingLocal>({
  name: 'ai-rate-limiting-advanced',
  version: packageVersion(import.meta.url),
  priority: 905,
  configSchema,
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https'] },
  validate: validateConfig,
  async init(config, services) {
    const { store, strategy, wait } = storeFor(config, services.logger);
    if (wait !== undefined && store.whenReady !== undefined) await store.whenReady(wait);
    return {
      rules: compileRules(config),
      store,
      strategy,
      namespace: config.namespace ?? services.pluginId,
      consumerGroup: services.scope?.consumerGroup ?? null,
      logger: services.logger,
      unpriced: new Set(),
    };
  },
  close(state) {
    state.store.release();
  },
  async upstream({ ctx, config, state, local }) {
    // Runs again before a retry of the upstream call: the request was decided once.
    if (local.decided) return;
    local.decided = true;
    const call = ctx.read(AI_CALL);
    // Only calls that spend tokens are limited: a count_tokens call costs nothing and is never charged.
    if (call === undefined || call.routeType !== 'llm/v1/chat') return;
    const now = Date.now();
    const who = () => identify(ctx, { kind: config.identifier, headerName: config.header_name, path: config.path, consumerGroup: state.consumerGroup });
    const applied = applicable(state.rules, ctx, call, who);
    if (applied.length === 0) return;
    const counted = countersFor(state.namespace, applied, now);
    const values = await state.store.read(keysToRead(counted), now);
    const measured = measure(counted, values, now);
    local.measured = measured;
    const refused = measured.some((m) => m.exhausted);
    const jitter = refused && config.retry_after_jitter_max > 0 ? Math.random() * config.retry_after_jitter_max : 0;
    const headers = clientHeaders(measured, refused, now, { format: ctx.errorFormat, hide: config.hide_client_headers, jitter });
    if (refused) {
      local.refused = true;
      tally.refused++;
      const names = config.error_hide_providers ? '' : exhaustedNames(measured);
      throw new GatewayError('GW_ERR_AI_RATE_LIMITED', { status: config.error_code, message: `${config.error_message}${names}`, headers });
    }
    local.headers = headers;
  },
  responseHeaders({ local, response }) {
    if (local.headers !== undefined) Object.assign(response.headers, local.headers);
  },
  async log({ ctx, state, local }) {
    const measured = local.measured;
    if (measured === undefined) return;
    let charged: number[] | undefined;
    const call = ctx.read(AI_CALL);
    if (!local.refused && call !== undefined) {
      const usage = call.usage();
      charged = measured.map((m) => amountFor(m.applied.rule.strategy, usage));
      if (usage.costUsd === undefined && measured.some((m) => m.applied.rule.strategy === 'cost') && !state.unpriced.has(call.model)) {
        state.unpriced.add(call.model);
        state.logger.warn(`ai-rate-limiting-advanced: tokens_count_strategy cost, but the AI call to ${call.model} has no price (set input_cost and output_cost in ai-proxy's model.options): charged 0`);
      }
      // Charged to the window the response ended in.
      const now = Date.now();
      const counters = countersFor(state.namespace, measured.map((m) => m.applied), now);
      await state.store.add(counters.map((c, i) => ({ key: c.current.key, expires: c.current.expires, amount: charged![i] })), now);
      tally.charged++;
    }
    ctx.setSerializeValue('ai.rate_limiting', logValue(measured, local.refused !== true, charged, state.strategy));
  },
  status() {
    return {
      values: { refused: tally.refused, charged: tally.charged },
      metrics: [
        { name: 'gw_ai_rate_limiting_refused_total', help: 'AI calls ai-rate-limiting-advanced refused (over a token, cost or request budget)', type: 'counter', samples: [{ value: tally.refused }] },
        { name: 'gw_ai_rate_limiting_charged_total', help: 'AI calls ai-rate-limiting-advanced charged to a budget', type: 'counter', samples: [{ value: tally.charged }] },
      ],
    };
  },
});
