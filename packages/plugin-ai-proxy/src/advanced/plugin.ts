/**
 * Kong's ai-proxy-advanced (Enterprise; PRIORITY 770): ai-proxy over several targets. Each target is an
 * ai-proxy of its own (model, auth, logging, the same translator pairs); the balancer orders them per
 * request (balancer/), and the `afterTry` hook fails a try over to the next target before anything of it
 * reaches the client: the client's bytes are planned, signed and sent again for the next target's region,
 * account, model or provider. At most `retries + 1` upstream calls per request, each target at most once.
 */
import { AI_CALL, definePlugin, GatewayError, type RequestContext } from '@gw/plugin-api';
import { keyHeaderName } from '../auth/api-key.js';
import { AI_PROXY_VERSION } from '../plugin.js';
import { bodyLimit, claimRequest, modelsOf } from '../phases/access.js';
import { servedModels } from '../phases/model.js';
import { aiResponseBody, aiResponseHeaders, noteUnfinishedResponse } from '../phases/response.js';
import { aiCall } from '../stats/ai-call.js';
import { redactQueryParam } from '../stats/redact-query.js';
import { clientFormat, translatorFor } from '../translators/index.js';
import type { ServedModel } from '../models/upstream-models.js';
import { recordFailure, recordSuccess } from './breaker.js';
import type { AdvancedConfig } from './config.js';
import { judgeTry } from './failover.js';
import { advancedConfigSchema } from './schema.js';
import { chooseOrder, eligible, planNext } from './select.js';
import { advancedState, tally, type AdvancedLocal, type AdvancedState, type TryEntry } from './state.js';
import { recordLatency } from './balancer/stats.js';
import { advancedStatus } from './status.js';
import { advancedLog } from './tried.js';
import { validateAdvanced } from './validate.js';

const EMPTY = new Uint8Array(0);

export const aiProxyAdvancedPlugin = definePlugin<AdvancedConfig, AdvancedState, AdvancedLocal>({
  name: 'ai-proxy-advanced',
  version: AI_PROXY_VERSION,
  priority: 770,
  configSchema: advancedConfigSchema,
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'], default: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
  validate: validateAdvanced,
  errorFormat: (config) => clientFormat(config.llm_format)?.errorFormat,
  usesGatewayCredentials: (config) => config.targets.some((target) => {
    const backend = translatorFor(config.llm_format, target.model.provider, target.route_type)?.backend;
    return backend !== undefined && (backend.auth === 'aws-sigv4' || Boolean(target.auth?.header_value || target.auth?.param_value));
  }),
  init: (config, services) => advancedState(config, services),
  close(state) {
    tally.live.delete(state);
  },
  status: () => advancedStatus(),

  async access({ ctx, config, state, local }) {
    const first = state.targets[0]!;
    const translator = claimRequest(ctx, first.config, first.ai);
    for (const target of state.targets) {
      const header = keyHeaderName(target.config.auth);
      if (header !== undefined) ctx.redactHeader(header);
    }
    const modelsApi = translator.format.modelsApi;
    if (modelsApi?.matches(ctx.request.path)) return modelsApi.answer(ctx.request, await servedByAll(ctx, state));

    local.kind = translator.format.classifyRoute(ctx.request.method, ctx.request.path);
    local.bytes = await ctx.request.body(bodyLimit(first.config));
    // model_alias: the client's model chooses the targets (read from the body only when some target has one).
    const chosen = eligible(state, state.aliased ? translator.parseBody(local.bytes, ctx.request).model : undefined);
    local.pinned = chosen.pinned;
    const now = Date.now();
    local.order = chooseOrder(ctx, state, chosen.candidates, now);
    local.next = 0;
    local.tries = [];
    const failed = await planNext(ctx, state, local, now);
    // No target could be planned: the first one's refusal (a GatewayError in the client's format) is the client's.
    if (failed !== undefined) throw (failed ?? new GatewayError('GW_ERR_INTERNAL')) as Error;
    publishCall(ctx, local, config.llm_format);
  },

  upstream({ ctx, config, state, local, upstream }) {
    const { plan, exchange, target } = local;
    if (plan === undefined || exchange === undefined || target === undefined) return;
    state.targets[target]!.ai.translator!.backend.apply(plan, upstream);
    const balancer = config.balancer;
    upstream.timeouts = { connect: balancer.connect_timeout, read: balancer.read_timeout, write: balancer.write_timeout };
    exchange.upstreamSentAt = ctx.now();
    state.stats[target]!.inflight++;
    local.tries!.push({
      target,
      provider: exchange.provider,
      model: exchange.requestModel,
      host: plan.endpoint.host,
      port: plan.endpoint.port,
      scheme: plan.endpoint.scheme,
      uri: plan.path,
      routeType: exchange.kind === 'count_tokens' ? 'llm/v1/count_tokens' : 'llm/v1/chat',
      outcome: 'answered',
      status: undefined,
      failure: undefined,
      criterion: undefined,
      settled: false,
    });
  },

  async afterTry({ ctx, config, state, local, attempt }) {
    const entry = local.tries?.at(-1);
    if (entry === undefined) return undefined;
    const target = state.targets[entry.target]!;
    const verdict = judgeTry(attempt, config.balancer.failover_criteria);
    const now = Date.now();
    if (verdict.breaker !== undefined) {
      if (recordFailure(target.breaker, state.rule, now, verdict.breaker)) tally.opened++;
    } else if (verdict.healthy) {
      recordSuccess(target.breaker, state.rule, now);
    }
    entry.status = attempt.response?.status;
    entry.failure = attempt.failure?.kind;
    if (attempt.failure !== undefined) {
      entry.outcome = 'failed';
      settle(state, entry);
    }
    // Each try is one upstream call: `retries` bounds them whatever the number of targets.
    // A client that left gets nothing more; core would not send again either.
    if (!verdict.failover || local.tries!.length > config.balancer.retries || ctx.signal.aborted) return 'stop';
    const previous = { plan: local.plan, exchange: local.exchange, target: local.target };
    const failed = await planNext(ctx, state, local, now);
    if (failed !== undefined) {
      // No target left: this try's answer (or failure) is the client's.
      Object.assign(local, previous);
      return 'stop';
    }
    publishCall(ctx, local, config.llm_format);
    entry.outcome = 'failed_over';
    entry.criterion = verdict.criterion;
    settle(state, entry);
    const key = verdict.criterion ?? 'error';
    tally.failovers.set(key, (tally.failovers.get(key) ?? 0) + 1);
    return 'retry';
  },

  responseHeaders({ ctx, config, local, response }) {
    const exchange = local.exchange;
    if (exchange === undefined) return;
    if (local.plan !== undefined) local.plan.body = EMPTY;
    local.bytes = undefined;
    aiResponseHeaders({ ctx, response, exchange, plan: local.plan });
    if (config.model_name_header && response.status >= 200 && response.status < 300) {
      response.headers['x-kong-llm-model'] = `${exchange.provider}/${exchange.requestModel}`;
    }
  },
  responseBody({ ctx, local, response }) {
    const exchange = local.exchange;
    return exchange === undefined ? undefined : aiResponseBody({ ctx, response, exchange, plan: local.plan });
  },
  log({ ctx, config, state, local, record }) {
    const { exchange, target } = local;
    const tries = local.tries ?? [];
    for (const entry of tries) settle(state, entry);
    if (exchange === undefined || target === undefined) return;
    noteUnfinishedResponse(exchange, record.cut);
    const auth = state.targets[target]!.config.auth;
    if (auth?.param_location === 'query' && auth.param_name) record.upstream_uri = redactQueryParam(record.upstream_uri, auth.param_name);
    learn(ctx, config, state, local, target);
    if (exchange.logStatistics) ctx.setSerializeValue('ai.proxy', advancedLog(state, exchange, tries, record, target, local.skipped));
  },
});

/** A try's in-flight count is given back once (a try that failed over, failed, or ended with the request). */
function settle(state: AdvancedState, entry: TryEntry): void {
  if (entry.settled) return;
  entry.settled = true;
  state.stats[entry.target]!.inflight--;
}

/** lowest-latency and lowest-usage learn from the answer of the target that answered. */
function learn(ctx: RequestContext, config: AdvancedConfig, state: AdvancedState, local: AdvancedLocal, target: number): void {
  const algorithm = config.balancer.algorithm;
  if (algorithm !== 'lowest-latency' && algorithm !== 'lowest-usage') return;
  const usage = aiCall(ctx, local.exchange!, config.llm_format).usage();
  const stats = state.stats[target]!;
  if (algorithm === 'lowest-latency') {
    if (usage.latencyMs === undefined || local.exchange!.error !== undefined) return;
    const tpot = config.balancer.latency_strategy === 'tpot' && usage.tokens.output > 0;
    recordLatency(stats, tpot ? usage.latencyMs / usage.tokens.output : usage.latencyMs, Date.now());
    return;
  }
  const t = usage.tokens;
  const prompt = t.input + t.cacheRead + t.cacheWrite;
  switch (config.balancer.tokens_count_strategy) {
    case 'prompt-tokens': stats.usage += prompt; break;
    case 'completion-tokens': stats.usage += t.output; break;
    case 'cost': stats.usage += usage.costUsd ?? 0; break;
    default: stats.usage += prompt + t.output;
  }
}

/**
 * AI_CALL names the target being tried (rate limits read it when the request starts), and after a
 * failover the next one, so metrics, traces and budgets read the call that answered and spent. A new
 * plain record each time rather than one whose getters follow the target: getters in an object literal
 * make an accessor pair per request in V8's old generation, which keeps the request alive across
 * young-generation GCs (see core's direct-body.ts).
 */
function publishCall(ctx: RequestContext, local: AdvancedLocal, format: string): void {
  ctx.publish(AI_CALL, aiCall(ctx, local.exchange!, format));
}

/** The Models API of a route with several targets: every model some target serves, listed once. */
async function servedByAll(ctx: RequestContext, state: AdvancedState): Promise<ServedModel[]> {
  const seen = new Set<string>();
  const all: ServedModel[] = [];
  for (const target of state.targets) {
    const { route, upstream } = await modelsOf(target.config, target.ai, target.ai.translator!, ctx.request);
    for (const model of servedModels(route, upstream)) {
      if (seen.has(model.id)) continue;
      seen.add(model.id);
      all.push(model);
    }
  }
  return all;
}
