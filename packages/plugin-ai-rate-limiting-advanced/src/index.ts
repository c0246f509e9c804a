export { aiRateLimitingAdvanced, aiRateLimitingAdvanced as default, type AiRateLimitingState, type AiRateLimitingLocal } from './plugin.js';
export { configSchema, validateConfig, type AiRateLimitingConfig, type TokensStrategy } from './config.js';
export { amountFor } from './decision.js';
