import { AI_CALL, GatewayError, type BodyBytes, type PhaseInput } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import type { AiExchange, RouteKind } from '../exchange.js';
import { emptyUsage } from '../usage.js';
import { planAnthropic } from '../translators/anthropic-anthropic/plan.js';
import { planBedrock } from '../backends/bedrock/plan.js';
import { headerBetas } from '../translators/anthropic-bedrock/betas.js';
import { parseMessagesBody } from '../formats/anthropic/body.js';
import { joinBytes } from '../shared/byte-text.js';
import type { RawMembers } from '../shared/json-members.js';
import { compileAliases, resolveModel } from './model.js';
import { renderModelTemplates } from '../config/templating.js';
import type { AiLocal, AiState } from './state.js';
import { estimateInputTokens } from '../formats/anthropic/token-estimate.js';
import { classifyRoute } from '../formats/anthropic/route.js';
import { aiCall } from '../stats/ai-call.js';
import { anthropicFormat } from '../formats/anthropic/index.js';

/**
 * The ai-proxy `access` phase: claim the request (Anthropic-format errors from here on), read and check
 * the body, resolve the model, build the upstream body and credentials once, and open the exchange
 * record that the response side and the log phase fill in.
 */
export async function aiAccess({ ctx, config: configured, state, local }: PhaseInput<AiProxyConfig, AiState, AiLocal>): Promise<void> {
  ctx.setErrorFormat('anthropic');
  // Core always redacts x-api-key and authorization; a configured key header joins them.
  if (configured.auth?.header_name) ctx.redactHeader(configured.auth.header_name.toLowerCase());

  const kind = classifyRoute(ctx.request.method, ctx.request.path);
  const config = state.templated ? renderModelTemplates(configured, ctx.request) : configured;
  const modelName = config.model.name || undefined;
  const aliases = state.templated ? compileAliases(config.model_aliases, modelName) : state.aliases;
  const limit = config.max_request_body_size === 0 ? Number.MAX_SAFE_INTEGER : config.max_request_body_size;
  const body = parseMessagesBody(await ctx.request.body(limit));
  const clientModel = body.model;
  const model = resolveModel(clientModel, modelName, aliases);
  const stream = kind === 'chat' && wantsStream(body.stream, config.response_streaming);

  const provider = config.model.provider;
  const planned =
    provider === 'bedrock'
      ? await planBedrock({ config, env: state.env, profile: state.profile, kind, model, stream, body, headerBetas: headerBetas(ctx.request.headers) })
      : provider === 'anthropic'
        ? planAnthropic({ config, kind, model, clientModel, stream, body, query: ctx.request.query, clientHeaders: ctx.request.headers })
        : undefined;
  // validate() rejects other providers at load time; this guards a config that skipped it.
  if (planned === undefined) throw new GatewayError('GW_ERR_INTERNAL', { message: `provider '${provider}' is not supported by gw` });

  local.plan = planned.plan;
  local.exchange = openExchange(config, state, { provider: planned.plan.provider, kind, stream, model, clientModel, sent: planned.sent, members: body.members });
  ctx.publish(AI_CALL, aiCall(ctx, local.exchange, config.llm_format));
}

function wantsStream(asked: boolean, policy: AiProxyConfig['response_streaming']): boolean {
  if (policy === 'always') return true;
  if (asked && policy === 'deny') throw new GatewayError('GW_ERR_AI_STREAMING_DENIED');
  return asked;
}

interface ExchangeFacts {
  provider: 'bedrock' | 'anthropic';
  kind: RouteKind;
  stream: boolean;
  model: string;
  clientModel: string | undefined;
  /** Request body as sent upstream. */
  sent: BodyBytes;
  /** The body's top-level members, as the body check found them. */
  members: RawMembers;
}

function openExchange(config: AiProxyConfig, state: AiState, facts: ExchangeFacts): AiExchange {
  const options = config.model.options ?? {};
  const logStatistics = config.logging?.log_statistics === true;
  // As in Kong, payloads are logged only together with statistics.
  const logPayloads = logStatistics && config.logging?.log_payloads === true;
  return {
    format: anthropicFormat,
    provider: facts.provider,
    kind: facts.kind,
    mode: facts.stream ? 'stream' : 'oneshot',
    requestModel: facts.model,
    clientModel: facts.clientModel,
    pluginId: state.pluginId,
    logStatistics,
    logPayloads,
    pingIntervalMs: Math.round((config.stream_ping_interval ?? 10) * 1000),
    costs: {
      input: options.input_cost ?? 0,
      output: options.output_cost ?? 0,
      cacheRead: options.cache_read_cost ?? 0,
      cacheWrite: options.cache_write_cost ?? 0,
    },
    requestPayload: logPayloads ? joinBytes(facts.sent).toString('utf8') : undefined,
    localTokenEstimate: estimateInputTokens(facts.members),
    upstreamSentAt: undefined,
    firstTokenAt: undefined,
    lastTokenAt: undefined,
    usage: emptyUsage(),
    responseModel: undefined,
    responsePayload: undefined,
    error: undefined,
  };
}
