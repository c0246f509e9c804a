/**
 * ai-rate-limiting-advanced config: the JSON Schema (schema/config.schema.json, Kong Enterprise 3.7–3.15's
 * fields) and the rules it can't express. What gw does not implement (Lua cost functions, Redis Cluster
 * and Sentinel, cloud authentication, Kong's policy entities, the cluster strategy) fails at `gw sync`
 * with its name; fields with no effect in gw are accepted with a warning.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConfigIssue, JsonSchema, ValidateContext, WrittenScope } from '@gw/plugin-api';
import type { IdentifierKind, WindowType } from '@gw/rate-limits';

export type TokensStrategy = 'total_tokens' | 'prompt_tokens' | 'completion_tokens' | 'cost';
export type MatchType = 'consumer' | 'consumer_group' | 'header' | 'ip' | 'model' | 'path' | 'provider';

export interface MatchCondition {
  type: MatchType;
  key?: string | null;
  values?: string[] | null;
  partition_by: boolean;
}

export interface Policy {
  id?: string | null;
  match?: MatchCondition[] | null;
  limits: { limit: number; window_size: number; tokens_count_strategy: TokensStrategy }[];
  window_type: WindowType;
}

export interface RedisConfig {
  host?: string | null;
  port?: number | null;
  database?: number | null;
  username?: string | null;
  password?: string | null;
  ssl?: boolean | null;
  ssl_verify?: boolean | null;
  server_name?: string | null;
  connect_timeout?: number | null;
  read_timeout?: number | null;
  send_timeout?: number | null;
  timeout?: number | null;
  keepalive_pool_size?: number | null;
  keepalive_backlog?: number | null;
  connection_is_proxied?: boolean | null;
  cluster_nodes?: unknown;
  cluster_addresses?: unknown;
  cluster_max_redirections?: number | null;
  sentinel_master?: unknown;
  sentinel_nodes?: unknown;
  sentinel_addresses?: unknown;
  sentinel_role?: unknown;
  sentinel_username?: unknown;
  sentinel_password?: unknown;
  cloud_authentication?: unknown;
}

export interface AiRateLimitingConfig {
  llm_providers?: { name: string; limit: number[]; window_size: number[] }[] | null;
  policies?: Policy[] | null;
  tokens_count_strategy: TokensStrategy;
  identifier: IdentifierKind;
  header_name?: string | null;
  path?: string | null;
  window_type: WindowType;
  strategy: 'local' | 'redis' | 'cluster';
  sync_rate?: number | null;
  namespace?: string | null;
  redis?: RedisConfig | null;
  error_code: number;
  error_message: string;
  error_hide_providers: boolean;
  hide_client_headers: boolean;
  retry_after_jitter_max: number;
  dictionary_name: string;
  disable_penalty: boolean;
  decrease_by_fractions_in_redis: boolean;
  llm_format?: string | null;
  request_prompt_count_function?: string | null;
  custom_cost_count_function?: string | null;
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8')) as JsonSchema;

const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const LUA = 'runs Lua, which gw cannot; gw counts what the AI proxy plugin reports (tokens_count_strategy)';

export function validateConfig(config: AiRateLimitingConfig, context?: ValidateContext): ConfigIssue[] {
  const scope: WrittenScope = context?.scope ?? {};
  const issues: ConfigIssue[] = [];
  const error = (path: string, message: string) => issues.push({ path, message });
  const warning = (path: string, message: string) => issues.push({ path, message, severity: 'warning' });
  const providers = config.llm_providers ?? [];
  const policies = config.policies ?? [];

  if (providers.length > 0 && policies.length > 0) error('policies', "only one of these fields can be set: 'llm_providers', 'policies'");
  if (providers.length === 0 && policies.length === 0) error('', "at least one of these fields must be non-empty: 'config.llm_providers', 'config.policies'");
  providers.forEach((p, i) => {
    if (p.limit.length !== p.window_size.length) error(`llm_providers[${i}]`, 'You must provide the same number of windows and limits');
    if (p.name === 'requestPrompt' || p.name === 'customCost') {
      error(`llm_providers[${i}].name`, `the ${p.name} provider is not supported by gw: it counts with a Lua function (${p.name === 'requestPrompt' ? 'request_prompt_count_function' : 'custom_cost_count_function'}), which gw cannot run`);
    }
  });
  policies.forEach((p, i) => {
    if (present(p.id)) error(`policies[${i}].id`, "references to Kong's ai_rate_limiting_policies entities are not supported by gw; write the policy's match and limits inline");
    (p.match ?? []).forEach((m, j) => {
      if (m.type === 'ip') {
        (m.values ?? []).forEach((v, k) => {
          const [address, bits, extra] = v.split('/');
          const family = isIP(address);
          const max = family === 6 ? 128 : 32;
          if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
            error(`policies[${i}].match[${j}].values[${k}]`, 'expected an IP address or a CIDR range');
          }
        });
      }
      if (m.type === 'header' && !m.key) error(`policies[${i}].match[${j}].key`, 'required field missing (the header name)');
      if (m.type === 'consumer' && m.key && !['id', 'username', 'custom_id'].includes(m.key)) error(`policies[${i}].match[${j}].key`, 'expected one of: id, username, custom_id');
      if (m.type === 'consumer_group' && m.key && !['id', 'name'].includes(m.key)) error(`policies[${i}].match[${j}].key`, 'expected one of: id, name');
    });
  });
  if (config.request_prompt_count_function) error('request_prompt_count_function', `request_prompt_count_function is not supported by gw: it ${LUA}`);
  if (config.custom_cost_count_function) error('custom_cost_count_function', `custom_cost_count_function is not supported by gw: it ${LUA}`);

  if (config.identifier === 'header' && !config.header_name) error('header_name', 'required field missing');
  if (config.identifier === 'path' && !config.path) error('path', 'required field missing');
  if (config.identifier === 'consumer-group' && scope.consumerGroup === undefined) {
    error('identifier', 'consumer-group counts per the group the plugin is scoped to (a consumer may be in several): scope it to a consumer group (consumer_group, or nest it under consumer_groups)');
  }
  if (policies.length > 0 && config.identifier !== 'consumer' && !(config.identifier === 'consumer-group' && scope.consumerGroup !== undefined)) {
    warning('identifier', "has no effect with policies: a policy counts every request it matches together, per instance, split only by the conditions marked partition_by (Kong 3.14's documented behaviour)");
  }

  if (config.strategy === 'cluster') error('strategy', "strategy 'cluster' is not supported by gw: it keeps the counters in Kong's database, which gw does not have; use redis (or local)");
  if (config.strategy === 'redis') {
    if (config.sync_rate === undefined || config.sync_rate === null) error('sync_rate', 'required field missing (0: count in Redis on every request; seconds: sync that often)');
    else if (config.sync_rate === -1) warning('sync_rate', '-1 keeps the counters in this process only: Redis is not used');
    else if (config.sync_rate !== 0 && config.sync_rate < 0.02) error('sync_rate', 'sync_rate must be greater than 0.02, 0 (synchronous) or -1 (local only)');
  } else if (config.strategy === 'local' && present(config.sync_rate) && config.sync_rate !== -1) {
    warning('sync_rate', 'has no effect with strategy local');
  }
  checkRedis(config.redis ?? {}, error, warning);

  if (config.dictionary_name !== 'kong_rate_limiting_counters') warning('dictionary_name', "has no effect: gw's local counters live in the process's memory, not in an nginx shared dict");
  if (present(config.llm_format)) warning('llm_format', 'has no effect in gw: the usage comes from the AI proxy plugin, whatever format the client speaks');
  return issues;
}

function checkRedis(redis: RedisConfig, error: (p: string, m: string) => void, warning: (p: string, m: string) => void): void {
  for (const field of ['cluster_nodes', 'cluster_addresses'] as const) {
    if (present(redis[field])) error(`redis.${field}`, 'Redis Cluster is not supported by gw; point redis.host at a single Redis (or a proxy in front of the cluster)');
  }
  for (const field of ['sentinel_master', 'sentinel_nodes', 'sentinel_addresses', 'sentinel_role', 'sentinel_username', 'sentinel_password'] as const) {
    if (present(redis[field])) error(`redis.${field}`, 'Redis Sentinel is not supported by gw; point redis.host at the Redis primary');
  }
  if (present(redis.cloud_authentication)) error('redis.cloud_authentication', 'cloud authentication to Redis is a Kong Enterprise feature gw does not support; use username and password');
  if (present(redis.keepalive_pool_size) && redis.keepalive_pool_size !== 256) warning('redis.keepalive_pool_size', 'has no effect: gw keeps one connection per Redis, shared by every plugin instance');
  if (present(redis.keepalive_backlog)) warning('redis.keepalive_backlog', 'has no effect: gw keeps one connection per Redis, shared by every plugin instance');
  if (redis.connection_is_proxied === true) warning('redis.connection_is_proxied', 'has no effect: gw talks to the proxy as to a Redis');
}
