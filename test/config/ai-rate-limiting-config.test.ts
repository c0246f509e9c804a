/**
 * ai-rate-limiting-advanced's config through gw's loader, as `gw sync` reads it: Kong's docs examples
 * load as they are, what gw does not implement is refused by name, fields with no effect are warned about.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import aiProxy from '@gw/plugin-ai-proxy';
import keyAuth from '@gw/plugin-key-auth';
import aiRateLimiting from '@gw/plugin-ai-rate-limiting-advanced';

const plugins = new Map<string, AnyPlugin>([aiRateLimiting, aiProxy, keyAuth].map((p) => [p.name, p as AnyPlugin]));
// Kong's docs examples, kept with the plugin (its fixtures folder says where each comes from).
const fixtures = fileURLToPath(new URL('../../packages/plugin-ai-rate-limiting-advanced/test/fixtures/', import.meta.url));
const env = { DECK_CONSUMER_ID: '5f9c2c6e-5b4b-4b8e-9a33-0c3d8a6f1e21', DECK_CONSUMER_GROUP_NAME: 'gold', DECK_HEADER_NAME: 'x-team', DECK_HEADER_VALUE: 'a', DECK_CONSUMER_USERNAME: 'alice' };

async function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-airl-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, yaml);
  const result = await loadConfig([file], { plugins, env: {} });
  const local = (s: string) => s.split(`${dir}/`).join('');
  return result.ok
    ? { ok: true as const, config: result.config, warnings: result.warnings.map(local) }
    : { ok: false as const, problems: result.problems.map((p) => local(formatProblem(p))) };
}

const plugin = (config: string, scope = '') => `_format_version: "3.0"\nplugins:\n  - name: ai-rate-limiting-advanced\n${scope}    config:\n${config}`;
const docs = readdirSync(fixtures).filter((f) => f.startsWith('kong-docs-') && !f.includes('request-prompt'));

describe('ai-rate-limiting-advanced config', () => {
  it.each(docs)("Kong's docs file %s loads unchanged", async (name) => {
    const result = await loadConfig([join(fixtures, name)], { plugins, env });
    if (!result.ok) throw new Error(result.problems.map((p) => formatProblem(p)).join('\n'));
    expect(result.warnings).toEqual([]);
  });

  it("Kong's request-prompt example is refused for its Lua function, by name", async () => {
    const result = await loadConfig([join(fixtures, 'kong-docs-request-prompt-count-function.yaml')], { plugins, env });
    expect(result.ok || result.problems.map((p) => formatProblem({ ...p, file: 'x.yaml' }))).toEqual([
      'x.yaml:18:38 plugins[0].config.request_prompt_count_function: request_prompt_count_function is not supported by gw: it runs Lua, which gw cannot; gw counts what the AI proxy plugin reports (tokens_count_strategy)',
    ]);
  });

  it("fills Kong's defaults", async () => {
    const result = await load(plugin('      llm_providers: [{name: bedrock, limit: [1000], window_size: [60]}]\n'));
    expect(result.ok && result.config.plugins[0].config).toEqual({
      llm_providers: [{ name: 'bedrock', limit: [1000], window_size: [60] }],
      tokens_count_strategy: 'total_tokens', identifier: 'consumer', window_type: 'sliding', strategy: 'local',
      error_code: 429, error_message: 'AI token rate limit exceeded for provider(s): ', error_hide_providers: false,
      hide_client_headers: false, retry_after_jitter_max: 0, dictionary_name: 'kong_rate_limiting_counters',
      disable_penalty: false, decrease_by_fractions_in_redis: false,
    });
  });

  it('refuses by name what gw does not implement', async () => {
    const result = await load(plugin(`      strategy: cluster
      llm_providers: [{name: requestPrompt, limit: [10, 20], window_size: [60]}]
      custom_cost_count_function: "return 1"
      redis: {cluster_nodes: [{ip: 10.0.0.1, port: 6379}], sentinel_master: m, cloud_authentication: {auth_provider: aws}}
`));
    expect(result.ok || result.problems.map((p) => p.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual([
      "plugins[0].config.strategy: strategy 'cluster' is not supported by gw: it keeps the counters in Kong's database, which gw does not have; use redis (or local)",
      'plugins[0].config.llm_providers[0]: You must provide the same number of windows and limits',
      'plugins[0].config.llm_providers[0].name: the requestPrompt provider is not supported by gw: it counts with a Lua function (request_prompt_count_function), which gw cannot run',
      'plugins[0].config.custom_cost_count_function: custom_cost_count_function is not supported by gw: it runs Lua, which gw cannot; gw counts what the AI proxy plugin reports (tokens_count_strategy)',
      'plugins[0].config.redis.cluster_nodes: Redis Cluster is not supported by gw; point redis.host at a single Redis (or a proxy in front of the cluster)',
      'plugins[0].config.redis.sentinel_master: Redis Sentinel is not supported by gw; point redis.host at the Redis primary',
      'plugins[0].config.redis.cloud_authentication: cloud authentication to Redis is a Kong Enterprise feature gw does not support; use username and password',
    ]);
  });

  it('needs sync_rate with Redis, limits or policies but not both, and a group scope for identifier consumer-group', async () => {
    const redis = await load(plugin('      strategy: redis\n      llm_providers: [{name: bedrock, limit: [1], window_size: [60]}]\n'));
    expect(redis.ok || redis.problems).toEqual([
      'kong.yaml:5:7 plugins[0].config.sync_rate: required field missing (0: count in Redis on every request; seconds: sync that often)',
    ]);
    const both = await load(plugin('      llm_providers: [{name: bedrock, limit: [1], window_size: [60]}]\n      policies: [{limits: [{limit: 1, window_size: 60}]}]\n      identifier: consumer-group\n'));
    expect(both.ok || both.problems.map((p) => p.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual([
      "plugins[0].config.policies: only one of these fields can be set: 'llm_providers', 'policies'",
      'plugins[0].config.identifier: consumer-group counts per the group the plugin is scoped to (a consumer may be in several): scope it to a consumer group (consumer_group, or nest it under consumer_groups)',
    ]);
    const none = await load(plugin('      identifier: ip\n'));
    expect(none.ok || none.problems.map((p) => p.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual([
      "plugins[0].config: at least one of these fields must be non-empty: 'config.llm_providers', 'config.policies'",
    ]);
    const ip = await load(plugin('      policies: [{match: [{type: ip, values: [10.0.0.0/8, 300.1.1.1, "::1"]}], limits: [{limit: 1, window_size: 60}]}]\n'));
    expect(ip.ok || ip.problems.map((p) => p.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual(['plugins[0].config.policies[0].match[0].values[1]: expected an IP address or a CIDR range']);
  });

  it('warns about fields with no effect in gw', async () => {
    const result = await load(plugin(`      policies: [{limits: [{limit: 1, window_size: 60}]}]
      identifier: ip
      llm_format: anthropic
      dictionary_name: my_dict
      strategy: redis
      sync_rate: -1
      redis: {keepalive_pool_size: 512, connection_is_proxied: true}
`));
    expect(result.ok && result.warnings.map((w) => w.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual([
      "plugins[0].config.identifier: has no effect with policies: a policy counts every request it matches together, per instance, split only by the conditions marked partition_by (Kong 3.14's documented behaviour)",
      'plugins[0].config.llm_format: has no effect in gw: the usage comes from the AI proxy plugin, whatever format the client speaks',
      "plugins[0].config.dictionary_name: has no effect: gw's local counters live in the process's memory, not in an nginx shared dict",
      'plugins[0].config.sync_rate: -1 keeps the counters in this process only: Redis is not used',
      'plugins[0].config.redis.keepalive_pool_size: has no effect: gw keeps one connection per Redis, shared by every plugin instance',
      'plugins[0].config.redis.connection_is_proxied: has no effect: gw talks to the proxy as to a Redis',
    ]);
  });
});
