import { definePlugin, packageVersion, type PluginServices } from '@gw/plugin-api';
import { configSchema } from './config/schema.js';
import type { AiProxyConfig } from './config/types.js';
import { hasTemplates } from './config/templating.js';
import { validate } from './config/validate.js';
import { aiAccess } from './phases/access.js';
import { compileAliases } from './phases/model.js';
import type { AiLocal, AiState } from './phases/state.js';
import { clientFormat, translatorFor } from './translators/index.js';
import { aiUpstream } from './phases/upstream.js';
import { aiResponseBody, aiResponseHeaders, noteUnfinishedResponse } from './phases/response.js';
import { publishAiStats } from './stats/index.js';
import { redactQueryParam } from './stats/redact-query.js';

export const AI_PROXY_VERSION = packageVersion(import.meta.url);
const EMPTY = new Uint8Array(0);

/** What an instance keeps: its pair, the backend's per-instance state (AWS credentials, …), compiled aliases. */
export async function aiProxyState(config: AiProxyConfig, services: Pick<PluginServices, 'pluginId' | 'logger'>): Promise<AiState> {
  const translator = translatorFor(config.llm_format, config.model.provider, config.route_type);
  return {
    pluginId: services.pluginId,
    translator,
    backend: await translator?.backend.init?.(config, process.env, services.logger),
    aliases: compileAliases(config.model_aliases ?? translator?.format.defaultAliases?.(config.model.name || undefined), config.model.name || undefined),
    templated: hasTemplates(config.model),
  };
}

/** Kong's ai-proxy (PRIORITY 770): each supported (llm_format, provider) pair is a translator (translators/). */
export const aiProxyPlugin = definePlugin<AiProxyConfig, AiState, AiLocal>({
  name: 'ai-proxy',
  version: AI_PROXY_VERSION,
  priority: 770,
  configSchema,
  // Kong: `protocols = typedefs.protocols_http`; Enterprise 3.13's default adds ws, wss.
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'], default: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
  validate,
  // Clients on an ai-proxy route speak its llm_format, even about errors raised before ai-proxy runs.
  errorFormat: (config) => clientFormat(config.llm_format)?.errorFormat,
  // A SigV4 backend is always called with the gateway's AWS credentials; a key backend with a configured
  // key, if any (without one the client's own key goes through).
  usesGatewayCredentials: (config) => {
    const backend = translatorFor(config.llm_format, config.model.provider, config.route_type)?.backend;
    return backend !== undefined && (backend.auth === 'aws-sigv4' || Boolean(config.auth?.header_value || config.auth?.param_value));
  },
  init: (config, services) => aiProxyState(config, services),
  access: aiAccess,
  upstream: aiUpstream,
  responseHeaders({ ctx, config, local, response }) {
    const exchange = local.exchange;
    if (exchange === undefined) return;
    // Upstream answered: no retry will re-send the body, so a long stream doesn't keep it alive.
    if (local.plan !== undefined) local.plan.body = EMPTY;
    aiResponseHeaders({ ctx, response, exchange, plan: local.plan });
    if (config.model_name_header && response.status >= 200 && response.status < 300) {
      response.headers['x-kong-llm-model'] = `${exchange.provider}/${exchange.requestModel}`;
    }
  },
  responseBody({ ctx, local, response }) {
    const exchange = local.exchange;
    return exchange === undefined ? undefined : aiResponseBody({ ctx, response, exchange, plan: local.plan });
  },
  log({ ctx, config, local, record }) {
    const { exchange, plan } = local;
    if (exchange === undefined) return;
    noteUnfinishedResponse(exchange, record.cut);
    const param = config.auth?.param_location === 'query' ? config.auth.param_name : undefined;
    if (param) record.upstream_uri = redactQueryParam(record.upstream_uri, param);
    const target = plan && { host: plan.endpoint.host, port: plan.endpoint.port, upstream_scheme: plan.endpoint.scheme, upstream_uri: plan.path };
    publishAiStats({ ctx, exchange, record, target });
  },
});
