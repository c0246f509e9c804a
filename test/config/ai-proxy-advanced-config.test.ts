/**
 * ai-proxy-advanced configurations as `gw sync` loads them: Kong's own plugin examples (their `config`
 * as a decK file, variables as `${{ env "DECK_…" }}` the way Kong's pages render them) and Kong's
 * Claude Code SSO cookbook file unchanged; what gw lacks (semantic routing, vector databases, the
 * embeddings it needs) refused by name at its line.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import aiProxy, { aiProxyAdvancedPlugin } from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import aiRateLimitingAdvanced from '@gw/plugin-ai-rate-limiting-advanced';

const registry = new Map<string, AnyPlugin>([aiProxy, aiProxyAdvancedPlugin, fileLog, keyAuth, aiRateLimitingAdvanced].map((p) => [p.name, p as AnyPlugin]));
const examples = fileURLToPath(new URL('../fixtures/kong/docs/ai-proxy-advanced/', import.meta.url));
const kongDocs = fileURLToPath(new URL('../fixtures/kong/docs/', import.meta.url));

async function load(text: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-advanced-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, text);
  const result = await loadConfig([file], { plugins: registry, env });
  const local = (line: string) => line.split(`${dir}/`).join('');
  return result.ok ? { ok: true as const, config: result.config, warnings: result.warnings.map(local) } : { ok: false as const, problems: result.problems.map((p) => local(formatProblem(p))) };
}

interface Example {
  config: Record<string, unknown>;
  variables?: Record<string, { value: string }>;
}

/** The example as the decK file Kong's page shows: `${name}` → `${{ env "DECK_<ENV>" }}`, env set to a fake value. */
function asDeck(name: string): { text: string; env: Record<string, string> } {
  const example = yaml.load(readFileSync(join(examples, name), 'utf8')) as Example;
  let config = JSON.stringify(example.config);
  const env: Record<string, string> = {};
  for (const [variable, { value }] of Object.entries(example.variables ?? {})) {
    const envName = `DECK_${value.replace(/^\$/, '')}`;
    env[envName] = `value-of-${variable}`;
    config = config.split(`\${${variable}}`).join(`\${{ env \\"${envName}\\" }}`);
  }
  return { text: yaml.dump({ _format_version: '3.0', plugins: [{ name: 'ai-proxy-advanced', config: JSON.parse(config) }] }), env };
}

describe("Kong's ai-proxy-advanced examples", () => {
  it('loads the Claude Code → Bedrock example unchanged, without a warning', async () => {
    const { text, env } = asDeck('claude-code-bedrock.yaml');
    const result = await load(text, env);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.warnings).toEqual([]);
    const config = result.config.plugins[0]!.config as { targets: Record<string, any>[]; balancer: Record<string, unknown> };
    expect(config.targets[0]).toMatchObject({ weight: 100, model: { provider: 'bedrock', name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }, auth: { aws_access_key_id: env.DECK_AWS_ACCESS_KEY_ID } });
    // Kong's defaults, filled in as Kong fills them.
    expect(config.balancer).toMatchObject({ algorithm: 'round-robin', retries: 5, failover_criteria: ['error', 'timeout'], connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, max_fails: 0, fail_timeout: 10000, hash_on_header: 'X-Kong-LLM-Request-ID', slots: 10000, latency_strategy: 'tpot', tokens_count_strategy: 'total-tokens' });
  });

  it('loads the Bedrock chat route example', async () => {
    const { text, env } = asDeck('bedrock-chat-route.yaml');
    const result = await load(text, env);
    expect(result.ok ? result.warnings : result.problems).toEqual([]);
  });

  // Kong's balancer examples (OpenAI targets): every balancer field accepted as Kong documents it.
  it.each([
    ['circuit-breaker.yaml', { algorithm: 'round-robin', max_fails: 3, fail_timeout: 10000 }],
    ['priority.yaml', { algorithm: 'priority' }],
    ['round-robin.yaml', { algorithm: 'round-robin' }],
    ['consistent-hashing.yaml', { algorithm: 'consistent-hashing', hash_on_header: 'X-Hashing-Header' }],
    ['lowest-latency.yaml', { algorithm: 'lowest-latency' }],
    ['lowest-usage.yaml', { algorithm: 'lowest-usage' }],
    ['least-connections.yaml', { algorithm: 'least-connections' }],
    ['model-alias-routing.yaml', { algorithm: 'round-robin' }],
  ])('loads %s unchanged', async (name, balancer) => {
    const { text, env } = asDeck(name);
    const result = await load(text, env);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect((result.config.plugins[0]!.config as { balancer: Record<string, unknown> }).balancer).toMatchObject(balancer);
    // What gw says of them: statuses that can't fail a POST over, and OpenAI targets without a price (ai-proxy's own warning, at the target's line).
    for (const warning of result.warnings) expect(warning).toMatch(/failover_criteria: .* never fail a POST over|targets\[\d\]\.model\.options\.input_cost: no price for provider 'openai'/);
  });

  it('refuses semantic routing by name: the algorithm, embeddings and vectordb', async () => {
    const { text, env } = asDeck('semantic.yaml');
    const result = await load(text, env);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.replace(/^kong\.yaml:\d+:\d+ /, ''))).toEqual([
      "plugins[0].config.embeddings: 'embeddings' is not supported by gw: it serves semantic routing, which gw does not have (remove it)",
      "plugins[0].config.vectordb: 'vectordb' is not supported by gw: it serves semantic routing, which gw does not have (remove it)",
      "plugins[0].config.balancer.algorithm: algorithm 'semantic' is not supported by gw (it needs embeddings and a vector database); supported: round-robin, priority, lowest-latency, lowest-usage, least-connections, consistent-hashing",
    ]);
    for (const p of problems) expect(p).toMatch(/^kong\.yaml:\d+:\d+ /);
  });

  it('covers every example it copied', () => {
    expect(readdirSync(examples).length).toBe(11);
  });
});

describe("Kong's Claude Code SSO cookbook (decK file, unchanged)", () => {
  it('loads its ai-proxy-advanced and ai-rate-limiting-advanced plugins; only openid-connect is refused', async () => {
    const env = Object.fromEntries(
      ['OKTA_ISSUER', 'OKTA_AUDIENCE', 'OIDC_CACHE_TOKENS_SALT', 'SONNET_ALIAS', 'OPUS_ALIAS', 'CHAT_MODEL_1', 'CHAT_MODEL_2', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].map((n) => [`DECK_${n}`, n === 'AWS_REGION' ? 'us-west-2' : `value-of-${n}`]),
    );
    const result = await load(readFileSync(join(kongDocs, 'claude-code-sso-bedrock.kong.yaml'), 'utf8'), env);
    expect(result.ok ? [] : result.problems).toEqual([
      "kong.yaml:23:11 services[0].plugins[0].name: plugin 'openid-connect' is a Kong Enterprise plugin; gw does not support it",
    ]);
  });
});
