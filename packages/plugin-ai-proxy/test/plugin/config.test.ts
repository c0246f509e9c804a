import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import { validate } from '../../src/config/validate.js';
import type { AiProxyConfig } from '../../src/config/types.js';
import { FIXTURES } from '../support/fixtures.js';

// ajv and js-yaml are core's dependencies; use core's copies as gw does.
const coreRequire = createRequire(new URL('../../../core/package.json', import.meta.url));
interface Validator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}
interface AjvLike {
  addKeyword(definition: { keyword: string; schemaType: string }): void;
  compile(schema: object): Validator;
}
const Ajv = coreRequire('ajv').default as new (options: object) => AjvLike;
const yaml = coreRequire('js-yaml') as { load(text: string): unknown };

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true });
ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
const run = ajv.compile(plugin.configSchema);

function check(config: Record<string, unknown>) {
  const ok = run(config);
  return { ok, errors: run.errors ?? [], config: config as unknown as AiProxyConfig };
}

const minimal = () => ({ route_type: 'llm/v1/chat', llm_format: 'anthropic', model: { provider: 'bedrock', name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' } });

describe('config schema', () => {
  it('fills Kong defaults (and gw 32 MiB body limit)', () => {
    const { ok, config } = check({ route_type: 'llm/v1/chat', model: { provider: 'bedrock' } });
    expect(ok).toBe(true);
    expect(config).toMatchObject({
      llm_format: 'openai',
      response_streaming: 'allow',
      max_request_body_size: 33554432,
      model_name_header: true,
      logging: { log_statistics: false, log_payloads: false },
    });
    expect(config).not.toHaveProperty('model_aliases');
  });

  it("accepts Kong's Claude Code + Bedrock example", () => {
    const doc = yaml.load(readFileSync(new URL('kong/docs/claude-code-bedrock.yaml', FIXTURES), 'utf8')) as { config: Record<string, unknown> };
    const text = JSON.stringify(doc.config).replaceAll('${aws_access_key_id}', 'AKIDEXAMPLE').replaceAll('${aws_secret_access_key}', 's').replaceAll('${aws_region}', 'us-west-2');
    const { ok, errors, config } = check(JSON.parse(text));
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    expect(validate(config)).toEqual([]);
  });

  it("accepts Kong's native Bedrock routes example (llm_format: bedrock)", () => {
    const doc = yaml.load(readFileSync(new URL('kong/docs/bedrock-native-routes.yaml', FIXTURES), 'utf8')) as { config: Record<string, unknown> };
    const text = JSON.stringify(doc.config).replaceAll('${key}', 'AKIDEXAMPLE').replaceAll('${secret}', 's');
    const { ok, errors, config } = check(JSON.parse(text));
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    expect(validate(config)).toEqual([]);
  });

  it('is strict like Kong: unknown fields and out-of-range values fail', () => {
    expect(check({ ...minimal(), nope: 1 }).ok).toBe(false);
    expect(check({ ...minimal(), model: { provider: 'bedrock', options: { max_token: 5 } } }).ok).toBe(false);
    expect(check({ ...minimal(), model: { provider: 'bedrock', options: { temperature: 6 } } }).ok).toBe(false);
    expect(check({ ...minimal(), model: { provider: 'bedrock', options: { input_cost: '1' } } }).ok).toBe(false);
    expect(check({ ...minimal(), model: { provider: 'bedrock', options: { top_k: 501 } } }).ok).toBe(false);
    expect(check({ ...minimal(), response_streaming: 'sometimes' }).ok).toBe(false);
    expect(check({ ...minimal(), max_request_body_size: -1 }).ok).toBe(false);
    expect(check({ route_type: 'llm/v1/chat' }).ok).toBe(false);
    expect(check({ ...minimal(), model_aliases: { 'claude-*': '' } }).ok).toBe(false);
    expect(check({ ...minimal(), model_aliases: { 'claude-*': 'reject', 'x': 'y' } }).ok).toBe(true);
  });

  it('marks secrets', () => {
    const auth = (plugin.configSchema.properties as any).auth.properties;
    for (const field of ['header_value', 'param_value', 'aws_access_key_id', 'aws_secret_access_key', 'azure_client_secret', 'gcp_service_account_json']) {
      expect(auth[field]['x-secret']).toBe(true);
    }
    expect(auth.header_name['x-secret']).toBeUndefined();
  });
});

describe('validate (Kong entity checks, gw support)', () => {
  const base = (): AiProxyConfig => ({ ...(check(minimal()).config) });

  it('passes a Claude Code → Bedrock config', () => expect(validate(base())).toEqual([]));

  it("reports Kong's all-or-none auth messages", () => {
    // (base() is bedrock, which also refuses header/param auth: see redact-query.test.ts)
    expect(validate({ ...base(), auth: { header_name: 'x-api-key' } })).toContainEqual(
      { path: 'auth.header_name', message: "all or none of these fields must be set: 'auth.header_name', 'auth.header_value'" },
    );
    expect(validate({ ...base(), auth: { param_name: 'key', param_value: 'v' } })).toContainEqual(
      { path: 'auth.param_name', message: "all or none of these fields must be set: 'auth.param_name', 'auth.param_value', 'auth.param_location'" },
    );
  });

  it('bedrock cannot allow_override', () => {
    expect(validate({ ...base(), auth: { allow_override: true } })).toEqual([
      { path: 'auth.allow_override', message: 'bedrock and gemini only support auth.allow_override = false' },
    ]);
  });

  it('anthropic needs anthropic_version', () => {
    const config = { ...base(), model: { provider: 'anthropic', name: 'claude-sonnet-4-5' } };
    expect(validate(config)).toEqual([{ path: 'model.options.anthropic_version', message: "must set 'model.options.anthropic_version' for anthropic provider" }]);
    expect(validate({ ...config, model: { ...config.model, options: { anthropic_version: '2023-06-01' } } })).toEqual([]);
  });

  it('openai: warns when nothing prices the calls (the catalogue has no OpenAI models) and about top_k', () => {
    const openai = { ...base(), llm_format: 'openai', model: { provider: 'openai', name: 'gpt-4o-mini' } };
    expect(validate(openai)).toEqual([{
      path: 'model.options.input_cost',
      severity: 'warning',
      message: "no price for provider 'openai' (gw's model catalogue has none for OpenAI models): set model.options.input_cost and output_cost (USD per million tokens), or the log's cost stays 0",
    }]);
    expect(validate({ ...openai, model: { ...openai.model, options: { input_cost: 0.15, output_cost: 0.6 } } })).toEqual([]);
    expect(validate({ ...openai, model: { ...openai.model, options: { input_cost: 0.15, top_k: 5 } } })).toEqual([
      { path: 'model.options.top_k', severity: 'warning', message: "is not used with provider 'openai': OpenAI has no top_k (Kong removes it too)" },
    ]);
  });

  it('says what gw does not support yet, naming the supported pairs (translators/index.ts)', () => {
    const pairs = '(supported llm_format → provider: anthropic → bedrock, anthropic → anthropic, openai → bedrock, openai → openai, openai → anthropic, bedrock → bedrock)';
    expect(validate({ ...base(), model: { provider: 'mistral' } })).toEqual([
      { path: 'model.provider', message: `llm_format 'anthropic' with provider 'mistral' is not supported yet by gw ${pairs}` },
    ]);
    expect(validate({ ...base(), model: { provider: 'openai', options: { input_cost: 1 } } })).toEqual([
      { path: 'llm_format', message: `llm_format 'anthropic' with provider 'openai' is not supported yet by gw ${pairs}` },
    ]);
    expect(validate({ ...base(), llm_format: 'openai' })).toEqual([]);
    expect(validate({ ...base(), llm_format: 'cohere' })).toEqual([
      { path: 'llm_format', message: `llm_format 'cohere' with provider 'bedrock' is not supported yet by gw ${pairs}` },
    ]);
    expect(validate({ ...base(), llm_format: 'openai', model: { provider: 'anthropic', options: { anthropic_version: '2023-06-01' } } })).toEqual([]);
    expect(validate({ ...base(), llm_format: 'bedrock', model: { provider: 'anthropic', options: { anthropic_version: '2023-06-01' } } })).toEqual([
      { path: 'model.provider', message: "native llm_format 'bedrock' can only be used with the 'bedrock' model.provider" },
      { path: 'llm_format', message: `llm_format 'bedrock' with provider 'anthropic' is not supported yet by gw ${pairs}` },
    ]);
    expect(validate({ ...base(), route_type: 'llm/v1/embeddings' })).toEqual([
      { path: 'route_type', message: "route_type 'llm/v1/embeddings' is not supported yet by gw for llm_format 'anthropic' with provider 'bedrock' (supported: llm/v1/chat)" },
    ]);
  });

  it('warns about options of other providers, route types and ai-proxy-advanced, when set to something', () => {
    const config = check({
      ...minimal(),
      model: {
        ...minimal().model,
        model_alias: 'fast',
        options: { azure_instance: 'kong-az', azure_api_version: '2023-05-15', mistral_format: null, bedrock: { embeddings_normalize: true, aws_region: 'us-east-1' } },
      },
    }).config;
    expect(validate(config)).toEqual([
      { path: 'model.model_alias', severity: 'warning', message: "is an option of ai-proxy-advanced, not used by this ai-proxy (provider 'bedrock', route_type 'llm/v1/chat')" },
      { path: 'model.options.azure_instance', severity: 'warning', message: "is an option of the 'azure' provider, not used by this ai-proxy (provider 'bedrock', route_type 'llm/v1/chat')" },
      { path: 'model.options.bedrock.embeddings_normalize', severity: 'warning', message: "is an option of embeddings route types with the 'bedrock' provider, not used by this ai-proxy (provider 'bedrock', route_type 'llm/v1/chat')" },
    ]);
  });

  it('bedrock.inference_profile: one of four values, said to be unused where the catalogue maps nothing', () => {
    const withProfile = (profile: unknown, model: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      check({ ...minimal(), ...extra, model: { ...minimal().model, ...model, options: { bedrock: { aws_region: 'us-east-1', inference_profile: profile } } } });
    expect(withProfile('eu').ok).toBe(false);
    for (const profile of ['geography', 'global', 'geography_then_global', 'none']) {
      const { ok, config } = withProfile(profile, { name: '' });
      expect(ok, profile).toBe(true);
      expect(validate(config)).toEqual([]);
    }
    const unused = { path: 'model.options.bedrock.inference_profile', severity: 'warning', message: "is used only when gw's model catalogue maps a model: with model.name unset, or for model_aliases whose value is 'catalogue'" };
    expect(validate(withProfile('global').config)).toEqual([unused]);
    expect(validate(withProfile('global', {}, { model_aliases: { 'claude-haiku-*': 'catalogue' } }).config)).toEqual([]);
    const anthropic = withProfile('global', { provider: 'anthropic', name: undefined }).config;
    anthropic.model.options!.anthropic_version = '2023-06-01';
    expect(validate(anthropic)).toEqual([
      { path: 'model.options.bedrock.inference_profile', severity: 'warning', message: "is an option of the 'bedrock' provider, not used by this ai-proxy (provider 'anthropic', route_type 'llm/v1/chat')" },
    ]);
  });

  it('refuses a genai_category other than text generation', () => {
    expect(validate({ ...base(), genai_category: 'image/generation' })).toEqual([
      { path: 'genai_category', message: "genai_category 'image/generation' is not supported yet by gw (supported: text/generation)" },
    ]);
  });

  it("keeps Kong's native-format checks", () => {
    const issues = validate({ ...base(), llm_format: 'bedrock', route_type: 'llm/v1/completions', model: { provider: 'anthropic', options: { anthropic_version: 'v' } } });
    expect(issues.map((issue) => issue.message)).toContain("native provider options in llm_format can only be used with the 'llm/v1/chat' route_type");
    expect(issues.map((issue) => issue.message)).toContain("native llm_format 'bedrock' can only be used with the 'bedrock' model.provider");
  });

  it('warns, for llm_format bedrock, about options a native body does not get and a streaming policy the path overrides', () => {
    const config = { ...base(), llm_format: 'bedrock', response_streaming: 'always', model: { provider: 'bedrock', name: 'meta.llama3-70b-instruct-v1:0', options: { max_tokens: 8192, anthropic_version: 'bedrock-2023-05-31', bedrock: { aws_region: 'us-east-1' } } } };
    expect(validate(config as never).map((issue) => [issue.path, issue.severity])).toEqual([
      ['model.options.max_tokens', 'warning'],
      ['model.options.anthropic_version', 'warning'],
      ['response_streaming', 'warning'],
    ]);
  });
});
