export { default, opentelemetry, createOpenTelemetryPlugin, type OpenTelemetryState, type SpanCounters } from './plugin.js';
export { configSchema, validateConfig, propagationOf, queueOf, type OpenTelemetryConfig } from './config.js';
