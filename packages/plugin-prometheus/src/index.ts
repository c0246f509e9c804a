export { default, prometheus, createPrometheusPlugin, type PrometheusState } from './plugin.js';
export { configSchema, validateConfig, UPSTREAM_HEALTH_UNSUPPORTED, WASM_UNSUPPORTED, type PrometheusConfig } from './config.js';
export { KONG_LATENCY_BUCKETS, UPSTREAM_LATENCY_BUCKETS, AI_LLM_PROVIDER_LATENCY_BUCKETS } from './buckets.js';
export { hashNumber } from './hash.js';
