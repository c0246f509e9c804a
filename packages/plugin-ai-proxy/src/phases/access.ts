import { AI_CALL, GatewayError, type BodyBytes, type ClientRequest, type PhaseInput, type RequestContext } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import { renderModelTemplates } from '../config/templating.js';
import type { AiExchange, RouteKind } from '../exchange.js';
import { emptyUsage } from '../usage.js';
import { keyHeaderName } from '../auth/api-key.js';
import { joinBytes } from '../text/byte-text.js';
import type { Translator, UpstreamPlan } from '../translators/translator.js';
import { aiCall } from '../stats/ai-call.js';
import { pricingFor } from '../stats/cost.js';
import type { UpstreamModels } from '../models/upstream-models.js';
import { compileAliases, resolveModel, servedModels, type RouteModels } from './model.js';
import type { AiLocal, AiState } from './state.js';

/**
 * The ai-proxy `access` phase: claim the request (errors in the client's format from here on), answer the
 * format's Models API itself, else plan the upstream call from the body (planCall).
 */
export async function aiAccess({ ctx, config: configured, state, local }: PhaseInput<AiProxyConfig, AiState, AiLocal>): Promise<void | Response> {
  const translator = claimRequest(ctx, configured, state);
  const modelsApi = translator.format.modelsApi;
  if (modelsApi?.matches(ctx.request.path)) {
    const { route, upstream } = await modelsOf(configured, state, translator, ctx.request);
    return modelsApi.answer(ctx.request, servedModels(route, upstream));
  }
  const kind = translator.format.classifyRoute(ctx.request.method, ctx.request.path);
  const call = await planCall(ctx, configured, state, kind, await ctx.request.body(bodyLimit(configured)));
  local.plan = call.plan;
  local.exchange = call.exchange;
  ctx.publish(AI_CALL, aiCall(ctx, local.exchange, configured.llm_format));
}

/** Errors in the client's format from here on; a configured key header is redacted beside core's own. */
export function claimRequest(ctx: RequestContext, configured: AiProxyConfig, state: AiState): Translator<any, any> {
  const translator = state.translator;
  // validate() refuses pairs gw lacks at load time; this guards a config that skipped it.
  if (translator === undefined) throw new GatewayError('GW_ERR_INTERNAL', { message: `llm_format '${configured.llm_format}' with provider '${configured.model.provider}' is not supported by gw` });
  ctx.setErrorFormat(translator.format.errorFormat);
  // Core always redacts x-api-key and authorization; a configured key header joins them.
  const keyHeader = keyHeaderName(configured.auth);
  if (keyHeader !== undefined) ctx.redactHeader(keyHeader);
  return translator;
}

export const bodyLimit = (config: AiProxyConfig): number => (config.max_request_body_size === 0 ? Number.MAX_SAFE_INTEGER : config.max_request_body_size);

/**
 * One upstream call from the client's body: check it, resolve the model, let the instance's translator
 * plan the call (body and credentials, once), and open the exchange record that the response side and the
 * log phase fill in. `pinnedModel`: the client's `model` chose this config (ai-proxy-advanced's
 * `model_alias`), so the config's own model is called.
 */
export async function planCall(ctx: RequestContext, configured: AiProxyConfig, state: AiState, kind: RouteKind, bytes: Uint8Array, pinnedModel = false): Promise<{ plan: UpstreamPlan; exchange: AiExchange }> {
  const translator = state.translator!;
  const { config, route, upstream } = await modelsOf(configured, state, translator, ctx.request);
  const body = translator.parseBody(bytes, ctx.request);
  const clientModel = body.model;
  const model = resolveModel(pinnedModel ? undefined : clientModel, route, upstream).model;
  const stream = kind === 'chat' && wantsStream(body.stream, config.response_streaming, translator.format.modeFromRequest === true);

  const planned = await translator.plan({ config, state, kind, model, stream, body, request: ctx.request });
  const exchange = openExchange(config, state, translator, {
    kind,
    stream,
    model,
    clientModel,
    sent: planned.sent,
    tokenEstimate: translator.format.estimateInputTokens(body),
    upstream,
  });
  return { plan: planned.plan, exchange };
}

/** The config with templates rendered for this request, what it says about models, and the backend's catalogue view. */
export async function modelsOf(configured: AiProxyConfig, state: AiState, translator: Translator<any, any>, request: ClientRequest) {
  const config = state.templated ? renderModelTemplates(configured, request) : configured;
  const pinned = config.model.name || undefined;
  const route: RouteModels = { pinned, aliases: state.templated ? compileAliases(config.model_aliases ?? translator.format.defaultAliases?.(pinned), pinned) : state.aliases };
  const upstream: UpstreamModels | undefined = await translator.backend.models?.(config, state.backend);
  return { config, route, upstream };
}

/** `fixed`: the request names its mode (Bedrock's operation), which `always` can't change (validation warns). */
function wantsStream(asked: boolean, policy: AiProxyConfig['response_streaming'], fixed: boolean): boolean {
  if (policy === 'always' && !fixed) return true;
  if (asked && policy === 'deny') throw new GatewayError('GW_ERR_AI_STREAMING_DENIED');
  return asked;
}

interface ExchangeFacts {
  kind: RouteKind;
  stream: boolean;
  model: string;
  clientModel: string | undefined;
  /** Request body as sent upstream. */
  sent: BodyBytes;
  /** The format's local estimate of the prompt's tokens. */
  tokenEstimate: number | undefined;
  /** The backend's view of the catalogue: prices the model called when the config has no costs. */
  upstream: UpstreamModels | undefined;
}

function openExchange(config: AiProxyConfig, state: AiState, translator: Translator<any, any>, facts: ExchangeFacts): AiExchange {
  const logStatistics = config.logging?.log_statistics === true;
  // As in Kong, payloads are logged only together with statistics.
  const logPayloads = logStatistics && config.logging?.log_payloads === true;
  return {
    translator,
    format: translator.format,
    provider: translator.backend.name,
    kind: facts.kind,
    mode: facts.stream ? 'stream' : 'oneshot',
    requestModel: facts.model,
    clientModel: facts.clientModel,
    pluginId: state.pluginId,
    logStatistics,
    logPayloads,
    pingIntervalMs: Math.round((config.stream_ping_interval ?? 10) * 1000),
    pricing: pricingFor(config.model.options, facts.upstream, facts.model),
    requestPayload: logPayloads ? joinBytes(facts.sent).toString('utf8') : undefined,
    localTokenEstimate: facts.tokenEstimate,
    upstreamSentAt: undefined,
    firstTokenAt: undefined,
    lastTokenAt: undefined,
    usage: emptyUsage(),
    responseModel: undefined,
    responseId: undefined,
    finishReasons: undefined,
    responsePayload: undefined,
    error: undefined,
    observations: undefined,
  };
}
