/**
 * Real decK files: the Kong docs' Claude Code → Bedrock example must load, the Enterprise SSO recipe
 * must fail naming every Enterprise-only thing in it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { loadConfig, formatProblem, summarize } from '../../src/config/index.js';
import { testRegistry } from './test-registry.js';
import { writeFiles } from './helpers.js';

// Kong's docs examples: the ai-proxy one is shared with ai-proxy's tests, the SSO recipe is core's own.
const kongDocs = fileURLToPath(new URL('../../../../test/fixtures/kong/docs/', import.meta.url));
const ownKongDocs = fileURLToPath(new URL('../fixtures/kong/docs/', import.meta.url));
const local = fileURLToPath(new URL('./fixtures/', import.meta.url));
const awsEnv = {
  DECK_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE0000000',
  DECK_AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  DECK_AWS_REGION: 'us-west-2',
};

describe('Kong fixtures', () => {
  it('loads the Claude Code → Bedrock decK example', async () => {
    const result = await loadConfig([`${local}claude-code-bedrock.kong.yaml`], { plugins: testRegistry(), env: awsEnv });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(summarize(result.config)).toEqual({ services: 1, routes: 1, plugins: { 'ai-proxy': 1, 'file-log': 1 }, consumers: 0 });
    const aiProxy = result.config.plugins.find((p) => p.name === 'ai-proxy')!;
    expect(aiProxy.config).toMatchObject({ auth: { aws_access_key_id: awsEnv.DECK_AWS_ACCESS_KEY_ID, aws_secret_access_key: awsEnv.DECK_AWS_SECRET_ACCESS_KEY } });
    expect(result.config.routes[0]).toMatchObject({ paths: ['/anything'], methods: ['POST'], tags: ['claude-code'] });
  });

  it("loads the Kong docs plugin example's config (with ${aws_region}-style variables) as a decK file", async () => {
    const example = yaml.load(readFileSync(`${kongDocs}claude-code-bedrock.yaml`, 'utf8')) as { config: object };
    const deck = yaml.dump({
      _format_version: '3.0',
      services: [{ name: 'claude', url: 'http://localhost', routes: [{ name: 'claude', paths: ['/anthropic'] }], plugins: [{ name: 'ai-proxy', config: example.config }] }],
    });
    const result = await loadConfig(writeFiles({ 'kong.yaml': deck }), { plugins: testRegistry(), env: awsEnv });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.config.plugins[0].config).toMatchObject({
      auth: { aws_access_key_id: awsEnv.DECK_AWS_ACCESS_KEY_ID, aws_secret_access_key: awsEnv.DECK_AWS_SECRET_ACCESS_KEY },
      model: { name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', options: { bedrock: { aws_region: 'us-west-2' } } },
    });
  });

  it('rejects the Enterprise SSO recipe, naming each unsupported feature', async () => {
    const env = Object.fromEntries(
      ['OKTA_ISSUER', 'OKTA_AUDIENCE', 'OIDC_CACHE_TOKENS_SALT', 'SONNET_ALIAS', 'OPUS_ALIAS', 'CHAT_MODEL_1', 'CHAT_MODEL_2'].map((n) => [`DECK_${n}`, `value-of-${n}`]),
    );
    const file = `${ownKongDocs}claude-code-sso-bedrock.kong.yaml`;
    const result = await loadConfig([file], { plugins: testRegistry(), env: { ...awsEnv, ...env } });
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.problems.map((p) => formatProblem({ ...p, file: 'sso.yaml' }));
    expect(lines).toEqual([
      "sso.yaml:23:11 services[0].plugins[0].name: plugin 'openid-connect' is a Kong Enterprise plugin; gw does not support it",
      "sso.yaml:49:9 plugins[0].name: plugin 'ai-proxy-advanced' is a Kong Enterprise plugin; gw does not support it",
      "sso.yaml:72:9 plugins[1].name: plugin 'ai-proxy-advanced' is a Kong Enterprise plugin; gw does not support it",
      "sso.yaml:109:9 plugins[2].name: plugin 'ai-rate-limiting-advanced' is a Kong Enterprise plugin; gw does not support it",
      "sso.yaml:123:9 plugins[3].name: plugin 'ai-rate-limiting-advanced' is a Kong Enterprise plugin; gw does not support it",
    ]);
    for (const secret of [...Object.values(awsEnv), ...Object.values(env)]) expect(lines.join('\n')).not.toContain(secret);
  });
});
