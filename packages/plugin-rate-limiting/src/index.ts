export { rateLimiting, rateLimiting as default, type RateLimitingState, type RateLimitingLocal } from './plugin.js';
export { configSchema, validateConfig, resolveConfig, type RateLimitingConfig, type ResolvedConfig } from './config.js';
