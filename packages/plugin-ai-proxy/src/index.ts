import { aiProxyPlugin } from './plugin.js';

export default aiProxyPlugin;
export { aiProxyPlugin, AI_PROXY_VERSION } from './plugin.js';
export type { AiProxyConfig, ModelOptions, AuthConfig } from './config/types.js';
export { validate } from './config/validate.js';
export { configSchema } from './config/schema.js';
export type { AiError, ErrorKind } from './errors.js';
export type { ClientFormat } from './formats/format.js';
export type { AiExchange, Costs, Provider, RouteKind, RequestMode } from './exchange.js';
export type { TokenUsage } from './usage.js';
export { BEDROCK_BETA_POLICY } from './translators/anthropic-bedrock/beta-policy.js';
export type { BetaPolicy, DependentField } from './translators/anthropic-bedrock/beta-policy.js';
export { toBedrockBody, toCountTokensBody, DEFAULT_BEDROCK_ANTHROPIC_VERSION } from './translators/anthropic-bedrock/body.js';
export { signBedrock } from './auth/aws/sign.js';
export { encodeModelId, countTokensModelId } from './backends/bedrock/url.js';
export { compileAliases, resolveModel } from './phases/model.js';
export { TRANSLATORS, translatorFor, supportedPairs } from './translators/index.js';
export type { Translator, Backend, UpstreamPlan, PlanInput, Planned } from './translators/translator.js';
