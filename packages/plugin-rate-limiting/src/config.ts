/**
 * rate-limiting config: the JSON Schema (schema/config.schema.json, Kong 3.x's fields) and the rules it
 * can't express, Kong's `custom_validator` and `entity_checks` with Kong's messages, and the deprecated
 * flat `redis_*` fields (Kong's shorthand_fields), which decK dumps still carry beside `redis`.
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue, JsonSchema, ValidateContext, WrittenScope } from '@gw/plugin-api';
import { PERIODS, type IdentifierKind, type Period, type RedisTarget } from '@gw/rate-limits';

export interface RedisConfig {
  host?: string | null;
  port?: number | null;
  timeout?: number | null;
  username?: string | null;
  password?: string | null;
  database?: number | null;
  ssl?: boolean | null;
  ssl_verify?: boolean | null;
  server_name?: string | null;
  cloud_authentication?: null;
}

/** Kong's deprecated flat redis fields (shorthand_fields), each the same as its `redis.*` field. */
interface DeprecatedRedisFields {
  redis_host?: string | null;
  redis_port?: number | null;
  redis_timeout?: number | null;
  redis_username?: string | null;
  redis_password?: string | null;
  redis_database?: number | null;
  redis_ssl?: boolean | null;
  redis_ssl_verify?: boolean | null;
  redis_server_name?: string | null;
}

export type RateLimitingConfig = { [P in Period]?: number | null } & DeprecatedRedisFields & {
  limit_by: IdentifierKind;
  header_name?: string | null;
  path?: string | null;
  policy: 'local' | 'cluster' | 'redis';
  fault_tolerant: boolean;
  redis?: RedisConfig | null;
  hide_client_headers: boolean;
  error_code: number;
  error_message: string;
  sync_rate: number;
};

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8')) as JsonSchema;

const REDIS_FIELDS = ['host', 'port', 'password', 'username', 'ssl', 'ssl_verify', 'server_name', 'timeout', 'database'] as const;
/** Kong's redis record defaults (kong/tools/redis/schema.lua; ssl_verify as Kong 3.14 publishes it). */
const REDIS_DEFAULTS = { port: 6379, timeout: 2000, database: 0, ssl: false, ssl_verify: true } as const;
const SYNC_RATE_REALTIME = -1;

/** What the plugin runs on: limits in period order, Redis with defaults and the deprecated fields applied. */
export interface ResolvedConfig {
  limits: { period: Period; limit: number }[];
  redis: (RedisTarget & { timeout: number }) | undefined;
}

/** The redis record after the deprecated fields (Kong: the new field wins; both set and different is an error). */
function mergedRedis(config: RateLimitingConfig, issues: ConfigIssue[]): RedisConfig {
  const redis: RedisConfig = { ...(config.redis ?? {}) };
  for (const field of REDIS_FIELDS) {
    const old = config[`redis_${field}`];
    if (old === undefined || old === null) continue;
    const current = redis[field];
    if (current !== undefined && current !== null) {
      if (current !== old) {
        const shown = field === 'password' ? '***' : String(old);
        const now = field === 'password' ? '***' : String(current);
        issues.push({ path: `redis_${field}`, message: `both deprecated and new field are used but their values mismatch: redis_${field} = ${shown} vs redis.${field} = ${now}` });
      }
      continue;
    }
    (redis as Record<string, unknown>)[field] = old;
    issues.push({ path: `redis_${field}`, severity: 'warning', message: `rate-limiting: config.redis_${field} is deprecated, please use config.redis.${field} instead` });
  }
  return redis;
}

export function validateConfig(config: RateLimitingConfig, context?: ValidateContext): ConfigIssue[] {
  const scope: WrittenScope = context?.scope ?? {};
  const issues: ConfigIssue[] = [];
  const redis = mergedRedis(config, issues);
  const set = PERIODS.filter((p) => typeof config[p] === 'number');
  if (set.length === 0) {
    issues.push({ path: '', message: "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'" });
  }
  // Kong's validate_periods_order: a longer period may not allow fewer requests than a shorter one.
  PERIODS.forEach((lower, i) => {
    const v1 = config[lower];
    if (typeof v1 !== 'number') return;
    for (const upper of PERIODS.slice(i + 1)) {
      const v2 = config[upper];
      if (typeof v2 === 'number' && v2 < v1) {
        issues.push({ path: upper, message: `The limit for ${upper}(${v2.toFixed(1)}) cannot be lower than the limit for ${lower}(${v1.toFixed(1)})` });
      }
    }
  });
  if (config.policy === 'cluster') {
    issues.push({ path: 'policy', message: "policy 'cluster' is not supported by gw: it keeps the counters in Kong's database, which gw does not have; use redis (or local)" });
  }
  if (config.policy !== 'redis' && config.sync_rate !== SYNC_RATE_REALTIME) {
    issues.push({ path: 'sync_rate', message: 'sync_rate can only be used with the redis policy' });
  }
  if (config.policy === 'redis') {
    if (config.sync_rate !== SYNC_RATE_REALTIME && config.sync_rate < 0.02) issues.push({ path: 'sync_rate', message: 'sync_rate must be greater than 0.02, or -1 to disable' });
    if (redis.host === undefined || redis.host === null) issues.push({ path: 'redis.host', message: 'required field missing' });
  }
  if (config.limit_by === 'header' && !config.header_name) issues.push({ path: 'header_name', message: 'required field missing' });
  if (config.limit_by === 'path' && !config.path) issues.push({ path: 'path', message: 'required field missing' });
  if (config.limit_by === 'consumer-group' && scope.consumerGroup === undefined) {
    issues.push({ path: 'limit_by', message: 'consumer-group counts per the group the plugin is scoped to (a consumer may be in several): scope it to a consumer group (consumer_group, or nest it under consumer_groups)' });
  }
  return issues;
}

/** The config the handlers use; `validateConfig` accepted it. */
export function resolveConfig(config: RateLimitingConfig): ResolvedConfig {
  const redis = mergedRedis(config, []);
  const limits = PERIODS.flatMap((period) => (typeof config[period] === 'number' ? [{ period, limit: config[period] as number }] : []));
  if (config.policy !== 'redis') return { limits, redis: undefined };
  const timeout = redis.timeout ?? REDIS_DEFAULTS.timeout;
  return {
    limits,
    redis: {
      host: redis.host as string,
      port: redis.port ?? REDIS_DEFAULTS.port,
      username: redis.username ?? undefined,
      password: redis.password ?? undefined,
      database: redis.database ?? REDIS_DEFAULTS.database,
      ssl: redis.ssl ?? REDIS_DEFAULTS.ssl,
      sslVerify: redis.ssl_verify ?? REDIS_DEFAULTS.ssl_verify,
      serverName: redis.server_name ?? undefined,
      connectTimeout: timeout,
      timeout,
    },
  };
}
