import { aiProxyPlugin } from './plugin.js';

export default aiProxyPlugin;
export { aiProxyPlugin, AI_PROXY_VERSION } from './plugin.js';
export type { AiProxyConfig, ModelOptions, AuthConfig } from './config/types.js';
export { validate } from './config/validate.js';
export { configSchema } from './config/schema.js';
export type { AiExchange, Usage, Costs, Provider, RouteKind, RequestMode } from './exchange.js';
export { BEDROCK_BETA_POLICY } from './request/beta-policy.js';
export type { BetaPolicy, DependentField } from './request/beta-policy.js';
export { toBedrockBody, toCountTokensBody, DEFAULT_BEDROCK_ANTHROPIC_VERSION } from './providers/bedrock/body.js';
export { signBedrock } from './providers/bedrock/sign.js';
export { encodeModelId, countTokensModelId } from './providers/bedrock/url.js';
export { compileAliases, resolveModel } from './request/model.js';
