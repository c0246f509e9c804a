/** The ai-proxy-advanced `config` after schema defaults are filled in (schema/advanced.schema.json), and each target as an ai-proxy config. */
import type { AiProxyConfig, AuthConfig, ModelConfig, ResponseStreaming } from '../config/types.js';

export type Algorithm = 'round-robin' | 'lowest-latency' | 'lowest-usage' | 'least-connections' | 'consistent-hashing' | 'priority' | 'semantic';

export type FailoverCriterion =
  | 'error' | 'timeout' | 'invalid_header' | 'non_idempotent'
  | 'http_403' | 'http_404' | 'http_429' | 'http_500' | 'http_502' | 'http_503' | 'http_504';

export interface BalancerConfig {
  algorithm: Algorithm;
  retries: number;
  failover_criteria: FailoverCriterion[];
  connect_timeout: number;
  read_timeout: number;
  write_timeout: number;
  tokens_count_strategy: 'total-tokens' | 'prompt-tokens' | 'completion-tokens' | 'cost' | 'llm-accuracy';
  latency_strategy: 'tpot' | 'e2e';
  hash_on_header: string;
  slots: number;
  max_fails: number;
  fail_timeout: number;
}

export interface TargetConfig {
  route_type: string;
  model: ModelConfig;
  auth?: AuthConfig;
  logging: { log_statistics: boolean; log_payloads: boolean };
  weight: number;
  description?: string;
  metadata?: Record<string, unknown> | null;
  /** gw extension, as ai-proxy's `model_aliases`, per target. */
  model_aliases?: Record<string, string>;
}

export interface AdvancedConfig {
  targets: TargetConfig[];
  balancer: BalancerConfig;
  llm_format: string;
  genai_category?: string;
  response_streaming: ResponseStreaming;
  max_request_body_size: number;
  model_name_header: boolean;
  stream_ping_interval?: number;
  embeddings?: unknown;
  vectordb?: unknown;
  acls?: unknown;
}

/** Fields of the ai-proxy view that come from the target (the rest are the plugin's). */
export const TARGET_FIELDS: ReadonlySet<string> = new Set(['route_type', 'model', 'auth', 'logging', 'model_aliases']);

/**
 * One target as the ai-proxy config it amounts to: the target's model, auth, logging and route type, the
 * plugin's client-side fields. `model_alias` selects targets (access.ts) and is not ai-proxy's business.
 */
export function targetConfig(config: AdvancedConfig, target: TargetConfig): AiProxyConfig {
  const { model_alias: _selects, ...model } = target.model;
  return {
    route_type: target.route_type,
    llm_format: config.llm_format,
    genai_category: config.genai_category,
    response_streaming: config.response_streaming,
    max_request_body_size: config.max_request_body_size,
    model_name_header: config.model_name_header,
    stream_ping_interval: config.stream_ping_interval,
    logging: target.logging,
    auth: target.auth,
    model,
    model_aliases: target.model_aliases,
  };
}
