/** The prometheus plugin's config: Kong's schema (schema/config.schema.json) and the fields gw can't act on. */
import { readFileSync } from 'node:fs';
import type { ConfigIssue, JsonSchema } from '@gw/plugin-api';

export interface PrometheusConfig {
  per_consumer: boolean;
  status_code_metrics: boolean;
  ai_metrics: boolean;
  latency_metrics: boolean;
  bandwidth_metrics: boolean;
  upstream_health_metrics: boolean;
  wasm_metrics: boolean | null;
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8')) as JsonSchema;

export const UPSTREAM_HEALTH_UNSUPPORTED =
  'is not acted on: gw has no upstreams and no health checks, so kong_upstream_target_health is never exported';
export const WASM_UNSUPPORTED = 'is not acted on: gw runs no Wasm filters, so there are no Wasm metrics';

export function validateConfig(config: PrometheusConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.upstream_health_metrics === true) issues.push({ path: 'upstream_health_metrics', message: UPSTREAM_HEALTH_UNSUPPORTED, severity: 'warning' });
  if (config.wasm_metrics === true) issues.push({ path: 'wasm_metrics', message: WASM_UNSUPPORTED, severity: 'warning' });
  return issues;
}
