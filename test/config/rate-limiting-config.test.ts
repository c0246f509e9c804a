/**
 * rate-limiting's config through gw's loader, as `gw sync` reads it: Kong's docs examples load as they
 * are, decK dumps with the deprecated redis_* fields load, and Kong's rules fail with Kong's messages.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import keyAuth from '@gw/plugin-key-auth';
import rateLimiting, { resolveConfig, type RateLimitingConfig } from '@gw/plugin-rate-limiting';

const plugins = new Map<string, AnyPlugin>([rateLimiting, keyAuth].map((p) => [p.name, p as AnyPlugin]));
// Kong's docs examples, kept with the plugin (its fixtures folder says where each comes from).
const fixture = (name: string) => fileURLToPath(new URL(`../../packages/plugin-rate-limiting/test/fixtures/${name}`, import.meta.url));

async function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-rl-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, yaml);
  const result = await loadConfig([file], { plugins, env: {} });
  const local = (s: string) => s.split(`${dir}/`).join('');
  return result.ok
    ? { ok: true as const, config: result.config, warnings: result.warnings.map(local) }
    : { ok: false as const, problems: result.problems.map((p) => local(formatProblem(p))) };
}

const plugin = (config: string, scope = '') => `_format_version: "3.0"\nplugins:\n  - name: rate-limiting\n${scope}    config:\n${config}`;

describe('rate-limiting config', () => {
  it.each(['kong-docs-rate-limit-with-local-policy.yaml', 'kong-docs-how-to-rate-limit-a-consumer.yaml'])("Kong's docs file %s loads unchanged", async (name) => {
    const result = await loadConfig([fixture(name)], { plugins, env: {} });
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("fills Kong's defaults", async () => {
    const result = await load(plugin('      minute: 5\n'));
    expect(result.ok && result.config.plugins[0].config).toEqual({
      minute: 5, limit_by: 'consumer', policy: 'local', fault_tolerant: true, hide_client_headers: false,
      error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1,
    });
  });

  it("a decK dump with the deprecated redis_* fields beside redis loads; one that changes a value is warned about, one that contradicts redis is refused (Kong's shorthand rules)", async () => {
    const dump = `      minute: 10
      policy: redis
      redis: {host: redis.internal, port: 6379, database: 0, timeout: 2000, ssl: false, ssl_verify: true, username: null, password: null, server_name: null, cloud_authentication: null}
      redis_host: redis.internal
      redis_port: 6379
      redis_database: 0
      redis_timeout: 2000
      redis_ssl: false
      redis_ssl_verify: true
      redis_password: null
      day: null
      header_name: null
`;
    const same = await load(plugin(dump));
    expect(same.ok && same.warnings).toEqual([]);

    const old = await load(plugin('      minute: 10\n      policy: redis\n      redis_host: redis.internal\n      redis_port: 6380\n'));
    expect(old.ok && old.warnings).toEqual([
      'kong.yaml:7:19 plugins[0].config.redis_host: rate-limiting: config.redis_host is deprecated, please use config.redis.host instead',
      'kong.yaml:8:19 plugins[0].config.redis_port: rate-limiting: config.redis_port is deprecated, please use config.redis.port instead',
    ]);
    const resolved = resolveConfig(old.ok ? (old.config.plugins[0].config as unknown as RateLimitingConfig) : ({} as RateLimitingConfig));
    expect(resolved.redis).toMatchObject({ host: 'redis.internal', port: 6380, database: 0, timeout: 2000, ssl: false, sslVerify: true });

    const clash = await load(plugin('      minute: 10\n      policy: redis\n      redis: {host: a, port: 7000}\n      redis_port: 6000\n      redis_password: old-secret\n      redis_host: a\n'));
    expect(clash.ok || clash.problems).toEqual([
      'kong.yaml:8:19 plugins[0].config.redis_port: both deprecated and new field are used but their values mismatch: redis_port = 6000 vs redis.port = 7000',
    ]);
  });

  it("refuses with Kong's messages", async () => {
    const bad = await load(plugin('      second: 10\n      minute: 5\n      sync_rate: 1\n      limit_by: header\n'));
    expect(bad.ok || bad.problems).toEqual([
      'kong.yaml:5:7 plugins[0].config.header_name: required field missing',
      'kong.yaml:6:15 plugins[0].config.minute: The limit for minute(5.0) cannot be lower than the limit for second(10.0)',
      'kong.yaml:7:18 plugins[0].config.sync_rate: sync_rate can only be used with the redis policy',
    ]);
    const none = await load(plugin('      limit_by: ip\n'));
    expect(none.ok || none.problems).toEqual([
      "kong.yaml:5:7 plugins[0].config: at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'",
    ]);
    const redis = await load(plugin('      minute: 5\n      policy: redis\n      sync_rate: 0.01\n'));
    expect(redis.ok || redis.problems).toEqual([
      'kong.yaml:5:7 plugins[0].config.redis.host: required field missing',
      'kong.yaml:7:18 plugins[0].config.sync_rate: sync_rate must be greater than 0.02, or -1 to disable',
    ]);
  });

  it("refuses Kong's cluster policy by name, and a consumer-group identifier on an instance not scoped to a group", async () => {
    const cluster = await load(plugin('      minute: 5\n      policy: cluster\n'));
    expect(cluster.ok || cluster.problems).toEqual([
      "kong.yaml:6:15 plugins[0].config.policy: policy 'cluster' is not supported by gw: it keeps the counters in Kong's database, which gw does not have; use redis (or local)",
    ]);
    const group = await load(plugin('      minute: 5\n      limit_by: consumer-group\n'));
    expect(group.ok || group.problems).toEqual([
      'kong.yaml:6:17 plugins[0].config.limit_by: consumer-group counts per the group the plugin is scoped to (a consumer may be in several): scope it to a consumer group (consumer_group, or nest it under consumer_groups)',
    ]);
    const scoped = await load(`_format_version: "3.0"\nconsumer_groups:\n  - name: team\n    plugins:\n      - name: rate-limiting\n        config: {minute: 5, limit_by: consumer-group}\n`);
    expect(scoped.ok).toBe(true);
  });
});
