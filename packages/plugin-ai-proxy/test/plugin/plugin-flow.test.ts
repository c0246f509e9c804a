import { describe, expect, it } from 'vitest';
import { GatewayError, type LogRecord } from '@gw/plugin-api';
import plugin from '../../src/index.js';
import { joinBytes } from '../../src/text/byte-text.js';
import type { AiProxyConfig } from '../../src/config/types.js';
import { aiProxyConfig } from '../support/config.js';
import type { AiLocal, AiState } from '../../src/phases/state.js';
import { readFixture, type Capture } from '../support/fixtures.js';
import { fakeContext, type FakeRequest } from './fake-context.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const ENV = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function bedrockConfig(extra: Partial<AiProxyConfig> = {}): AiProxyConfig {
  return aiProxyConfig({
    logging: { log_statistics: true, log_payloads: false },
    model: { provider: 'bedrock', name: MODEL, options: { input_cost: 1, output_cost: 5 } },
    ...extra,
  });
}

async function run(config: AiProxyConfig, request: FakeRequest, env: NodeJS.ProcessEnv = ENV) {
  const initial = (await plugin.init!(config, { logger: console, configDir: '.', pluginId: 'plugin-1' })) as AiState;
  // The backend's AWS environment, as a plain object (Bedrock instances only).
  const state: AiState = initial.backend === undefined ? initial : { ...initial, backend: { ...(initial.backend as object), env } };
  const local: AiLocal = {};
  const fake = fakeContext(request);
  // The SDK's credential chain reads keys from process.env (gw reads the region from the state's env).
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  const setKey = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  setKey('AWS_ACCESS_KEY_ID', env.AWS_ACCESS_KEY_ID);
  setKey('AWS_SECRET_ACCESS_KEY', env.AWS_SECRET_ACCESS_KEY);
  try {
    await plugin.access!({ ctx: fake.ctx, config, state, local });
  } finally {
    setKey('AWS_ACCESS_KEY_ID', saved.id);
    setKey('AWS_SECRET_ACCESS_KEY', saved.secret);
  }
  await plugin.upstream!({ ctx: fake.ctx, config, state, local, upstream: fake.upstream });
  return { ...fake, local, state, exchange: local.exchange! };
}

async function failure(config: AiProxyConfig, request: FakeRequest, env: NodeJS.ProcessEnv = ENV) {
  try {
    await run(config, request, env);
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const main2_1 = readFixture<Capture>('claude-code/cc-2.1.330-print-json.full.json').requests[0];
const warmup2_0 = readFixture<Capture>('claude-code/cc-2.0.37-print-json.full.json').requests.find((request) => request.body?.model === 'claude-haiku-4-5-20251001')!;
const chat = (body: unknown, extra: Partial<FakeRequest> = {}): FakeRequest => ({ path: '/anything/v1/messages', query: 'beta=true', body: JSON.stringify(body), ...extra });
const hi = { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

describe('ai-proxy → Bedrock, access + upstream', () => {
  it('turns a Claude Code 2.1.330 call into a signed InvokeModelWithResponseStream request', async () => {
    const { upstream, exchange, calls } = await run(bedrockConfig(), {
      path: '/anything/v1/messages',
      query: 'beta=true',
      headers: main2_1.headers,
      body: JSON.stringify(main2_1.body),
    });
    expect(calls[0]).toBe('errorFormat:anthropic');
    expect(upstream).toMatchObject({ method: 'POST', scheme: 'https', host: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443, query: '' });
    expect(upstream.path).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream');
    const body = JSON.parse(joinBytes(upstream.body!).toString('utf8'));
    expect(body.anthropic_beta).toEqual(['tool-search-tool-2025-10-19']);
    expect(body).not.toHaveProperty('model');
    expect(upstream.headers['x-api-key']).toBeUndefined();
    expect(upstream.headers['anthropic-beta']).toBeUndefined();
    expect(String(upstream.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(exchange).toMatchObject({
      provider: 'bedrock',
      kind: 'chat',
      mode: 'stream',
      requestModel: MODEL,
      clientModel: MODEL,
      pluginId: 'plugin-1',
      logStatistics: true,
      logPayloads: false,
      pricing: { source: 'config', costs: { input: 1, output: 5, cacheRead: 0, cacheWrite: 0 } },
      requestPayload: undefined,
      localTokenEstimate: expect.any(Number), // the log's fallback when a cut answer never reported its input
    });
    expect(exchange.upstreamSentAt).toBeGreaterThan(0);
  });

  it('maps a Claude Code 2.0.37 warmup with a first-party id to the configured model', async () => {
    const { upstream, exchange } = await run(bedrockConfig(), chat(warmup2_0.body, { headers: warmup2_0.headers }));
    expect(exchange.clientModel).toBe('claude-haiku-4-5-20251001');
    expect(exchange.requestModel).toBe(MODEL);
    expect(upstream.path).toContain(encodeURIComponent(MODEL));
  });

  it('treats an empty model.name as unset (the client model goes through)', async () => {
    const config = bedrockConfig();
    config.model.name = '';
    expect((await run(config, chat({ ...hi, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }))).exchange.requestModel).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it("without model.name, sends a first-party id to the region's profile (count_tokens: its foundation model) and prices it from the catalogue", async () => {
    const config = bedrockConfig();
    config.model.name = '';
    config.model.options = { bedrock: { aws_region: 'eu-west-1' } };
    const { upstream, exchange } = await run(config, chat({ ...hi, model: 'claude-sonnet-4-5' }));
    expect(upstream.path).toBe('/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
    expect(upstream.host).toBe('bedrock-runtime.eu-west-1.amazonaws.com');
    expect(exchange).toMatchObject({ clientModel: 'claude-sonnet-4-5', requestModel: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(exchange.pricing).toMatchObject({ source: 'catalogue', prices: { input: 3.3, output: 16.5 } });
    const counted = await run(config, chat({ ...hi, model: 'claude-sonnet-4-5' }, { path: '/anything/v1/messages/count_tokens' }));
    expect(counted.upstream.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens');
    const unknown = await failure(config, chat({ ...hi, model: 'gpt-4o' }));
    expect([unknown.code, unknown.status, unknown.anthropicType]).toEqual(['GW_ERR_AI_MODEL_NOT_SERVED', 400, 'invalid_request_error']);
    // In the body as the upstream gets it: Bedrock takes the model from the path, never the body.
    expect(JSON.parse(joinBytes(upstream.body!).toString('utf8'))).not.toHaveProperty('model');
  });

  it('uses InvokeModel without stream, and always-streams when configured', async () => {
    expect((await run(bedrockConfig(), chat(hi))).upstream.path).toMatch(/\/invoke$/);
    const forced = await run(bedrockConfig({ response_streaming: 'always' }), chat(hi));
    expect(forced.upstream.path).toMatch(/\/invoke-with-response-stream$/);
    expect(forced.exchange.mode).toBe('stream');
    expect((await failure(bedrockConfig({ response_streaming: 'deny' }), chat({ ...hi, stream: true }))).code).toBe('GW_ERR_AI_STREAMING_DENIED');
  });

  it('routes count_tokens to CountTokens with the foundation model id and a local estimate', async () => {
    const { upstream, exchange } = await run(bedrockConfig(), chat({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(400) }] }, { path: '/anything/v1/messages/count_tokens' }));
    expect(upstream.path).toBe('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens');
    const wrapped = JSON.parse(joinBytes(upstream.body!).toString('utf8'));
    const inner = JSON.parse(Buffer.from(wrapped.input.invokeModel.body, 'base64').toString('utf8'));
    expect(inner).toMatchObject({ max_tokens: 1, anthropic_version: 'bedrock-2023-05-31' });
    expect(exchange.kind).toBe('count_tokens');
    expect(exchange.mode).toBe('oneshot');
    expect(exchange.localTokenEstimate).toBeGreaterThanOrEqual(100);
  });

  it('answers unknown paths, other methods and bad bodies with Anthropic-format errors', async () => {
    for (const path of ['/anything/v1/modelz', '/v1/complete', '/v1/messages/batches']) {
      const error = await failure(bedrockConfig(), chat(hi, { path }));
      expect(error.code).toBe('GW_ERR_AI_NOT_FOUND');
      expect(error.anthropicType).toBe('not_found_error');
    }
    // The Models API is GET only.
    const post = await failure(bedrockConfig(), chat(hi, { path: '/anything/v1/models' }));
    expect(post.code).toBe('GW_ERR_AI_METHOD_NOT_ALLOWED');
    expect(post.headers).toEqual({ allow: 'GET' });
    expect((await failure(bedrockConfig(), chat(hi, { method: 'GET' }))).code).toBe('GW_ERR_AI_METHOD_NOT_ALLOWED');
    expect((await failure(bedrockConfig(), chat(hi, { body: '{"messages":' }))).code).toBe('GW_ERR_AI_INVALID_BODY');
    expect((await failure(bedrockConfig(), chat({ model: MODEL, messages: [] }))).code).toBe('GW_ERR_AI_INVALID_BODY');
    expect((await failure(bedrockConfig(), chat(hi, { body: new Uint8Array([0x7b, 0xff, 0x7d]) }))).code).toBe('GW_ERR_AI_INVALID_BODY');
    const mismatch = await failure(bedrockConfig(), chat({ ...hi, model: 'gpt-4o' }));
    expect(mismatch.message).toBe(`cannot use own model - must be: ${MODEL}`);
  });

  it('rejects a body that is not one JSON object with a non-empty messages array, or whose read members are malformed', async () => {
    const bad = [
      '[]', '"x"', '42', 'null', '{}', '{"model":"m"}', '{"messages":{}}', '{"messages":"x"}', '{"messages":[ \n ]}',
      '{"messages":[{"role":"user","content":"hi"}]} x', '{"messages":[{"role":"user","content":"hi"}]}}',
      '{"messages":[{"role":"user","content":"hi"}],}', '{"messages":[{"role":"user","content":"hi"}] "x":1}',
      '{messages:[1]}', '{"messages":}', '{"messages":[1],"max_tokens":tru}', '{"messages":[1],"thinking":{"type":}}',
      '{"messages":[1],"model":"a\\q"}', '{"messages":[1],"stream":true,"stream":}', '{"messages":[1',
    ];
    for (const body of bad) expect((await failure(bedrockConfig(), chat(hi, { body }))).code, body).toBe('GW_ERR_AI_INVALID_BODY');
  });

  it('forwards messages/system/tools unparsed: malformed JSON deep inside is left to Bedrock to reject', async () => {
    const body = '{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":[tru]}],"system":[{"x":01}]}';
    const { upstream } = await run(bedrockConfig(), chat(hi, { body }));
    expect(joinBytes(upstream.body!).toString('utf8')).toBe(
      '{"max_tokens":5,"messages":[{"role":"user","content":[tru]}],"system":[{"x":01}],"anthropic_version":"bedrock-2023-05-31"}',
    );
  });

  it('reads a non-ASCII model name as text', async () => {
    const mismatch = await failure(bedrockConfig(), chat({ ...hi, model: 'modèle-中' }));
    expect(mismatch.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    const { exchange } = await run(bedrockConfig({ model_aliases: { 'modèle-*': MODEL } }), chat({ ...hi, model: 'modèle-中' }));
    expect(exchange.clientModel).toBe('modèle-中');
  });

  it('reads the body with the configured limit (0 = unlimited) and lets 413 through', async () => {
    const small = await failure(bedrockConfig({ max_request_body_size: 16 }), chat(hi));
    expect(small.code).toBe('GW_ERR_BODY_TOO_LARGE');
    expect(small.anthropicType).toBe('request_too_large');
    const fake = await run(bedrockConfig({ max_request_body_size: 0 }), chat(hi));
    expect(fake.bodyLimit()).toBe(Number.MAX_SAFE_INTEGER);
    expect((await run(bedrockConfig(), chat(hi))).bodyLimit()).toBe(33554432);
  });

  it('fails before proxying without region or credentials', async () => {
    expect((await failure(bedrockConfig(), chat(hi), { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).code).toBe('GW_ERR_AI_NO_REGION');
    expect((await failure(bedrockConfig(), chat(hi), { AWS_REGION: 'us-west-2', AWS_EC2_METADATA_DISABLED: 'true' })).code).toBe('GW_ERR_AI_NO_CREDENTIALS');
    const configured = bedrockConfig({ auth: { aws_access_key_id: 'CFG', aws_secret_access_key: 's' } });
    configured.model.options = { bedrock: { aws_region: 'eu-central-1' }, upstream_url: 'http://127.0.0.1:9999' };
    const { upstream } = await run(configured, chat(hi), {});
    expect(upstream).toMatchObject({ scheme: 'http', host: '127.0.0.1', port: 9999 });
    expect(upstream.headers.host).toBe('127.0.0.1:9999');
    expect(String(upstream.headers.authorization)).toContain('Credential=CFG/');
    expect(String(upstream.headers.authorization)).toContain('/eu-central-1/bedrock/aws4_request');
  });

  it('keeps the payload for the log only with log_statistics + log_payloads', async () => {
    const unicode = { ...hi, messages: [{ role: 'user', content: 'héllo 中 😀' }] };
    const { exchange, upstream } = await run(bedrockConfig({ logging: { log_statistics: true, log_payloads: true } }), chat(unicode));
    expect(exchange.requestPayload).toBe(joinBytes(upstream.body!).toString('utf8'));
    expect(JSON.parse(exchange.requestPayload!).messages[0].content).toBe('héllo 中 😀');
    expect((await run(bedrockConfig({ logging: { log_statistics: false, log_payloads: true } }), chat(hi))).exchange.requestPayload).toBeUndefined();
  });

  it('adds X-Kong-LLM-Model on success and publishes ai.proxy in log', async () => {
    const config = bedrockConfig();
    const { ctx, local, state, serialized } = await run(config, chat(hi));
    const response = { status: 200, headers: { 'content-type': 'application/json' }, source: 'upstream' as const };
    plugin.responseHeaders!({ ctx, config, state, local, response });
    expect(response.headers).toMatchObject({ 'x-kong-llm-model': `bedrock/${MODEL}` });
    const record = { tries: [], upstream_uri: '/x' } as unknown as LogRecord;
    await plugin.log!({ ctx, config, state, local, record });
    expect(serialized['ai.proxy']).toBeDefined();
    expect(JSON.stringify(serialized['ai.proxy'])).toContain('bedrock-runtime.us-west-2.amazonaws.com');
  });
});

describe('model templating (Kong $(source.key))', () => {
  it('fills model.name and options from headers, query and captures per request', async () => {
    const config = bedrockConfig();
    config.model = { provider: 'bedrock', name: 'us.anthropic.$(headers.x-model)', options: { bedrock: { aws_region: '$(query_params.region)' } } };
    const { upstream, exchange } = await run(config, chat({ ...hi, model: undefined }, { headers: { 'x-model': 'claude-sonnet-4-5-20250929-v1:0' }, query: 'beta=true&region=eu-west-1' }));
    expect(exchange.requestModel).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstream.host).toBe('bedrock-runtime.eu-west-1.amazonaws.com');
  });

  it("answers 400 with Kong's messages", async () => {
    const config = bedrockConfig();
    config.model = { provider: 'bedrock', name: '$(headers.x-model)' };
    const missing = await failure(config, chat(hi));
    expect([missing.status, missing.message]).toEqual([400, 'headers key x-model was not provided']);
    config.model = { provider: 'bedrock', name: '$(cookies.x)' };
    expect((await failure(config, chat(hi))).message).toBe("cannot parse expression for field '$(cookies.x)'");
  });
});

describe('ai-proxy → Anthropic', () => {
  const anthropicConfig = (extra: Partial<AiProxyConfig> = {}): AiProxyConfig => ({
    ...bedrockConfig(),
    model: { provider: 'anthropic', name: 'claude-sonnet-4-5-20250929', options: { anthropic_version: '2023-06-01' } },
    auth: { header_name: 'x-api-key', header_value: 'sk-configured' },
    ...extra,
  });
  const body = { model: 'claude-sonnet-4-5-20250929', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true };

  it('passes the body through unchanged and swaps in the configured key', async () => {
    const { upstream, exchange, redacted } = await run(anthropicConfig(), chat(body, { headers: { 'x-api-key': 'client', 'anthropic-beta': 'b1', 'anthropic-version': '2023-01-01' } }));
    expect(upstream).toMatchObject({ scheme: 'https', host: 'api.anthropic.com', port: 443, path: '/v1/messages', query: 'beta=true', body: undefined });
    expect(upstream.headers).toMatchObject({ 'x-api-key': 'sk-configured', 'anthropic-beta': 'b1', 'anthropic-version': '2023-06-01', host: 'api.anthropic.com', 'accept-encoding': 'identity' });
    expect(exchange).toMatchObject({ provider: 'anthropic', mode: 'stream' });
    expect(redacted).toContain('x-api-key');
  });

  it('rewrites model, options and forced streaming by splicing', async () => {
    const config = anthropicConfig({ response_streaming: 'always' });
    config.model.options = { anthropic_version: '2023-06-01', max_tokens: 64 };
    const { upstream } = await run(config, chat({ ...body, model: 'claude-haiku-4-5-20251001', stream: false }));
    expect(JSON.parse(joinBytes(upstream.body!).toString('utf8'))).toEqual({ ...body, max_tokens: 64, stream: true });
  });

  it("without model.name, sends the client's id or alias as it came, priced at the Claude API's prices", async () => {
    const config = anthropicConfig();
    config.model = { provider: 'anthropic', options: { anthropic_version: '2023-06-01' } };
    const { upstream, exchange } = await run(config, chat({ ...body, model: 'claude-haiku-4-5' }));
    expect(upstream.body).toBeUndefined(); // the client's bytes, model and all
    expect(exchange).toMatchObject({ requestModel: 'claude-haiku-4-5', pricing: { source: 'catalogue', prices: { input: 1, output: 5, cacheWrite1h: 2 } } });
    expect((await failure(config, chat({ ...body, model: 'claude-2.1' }))).code).toBe('GW_ERR_AI_MODEL_NOT_SERVED');
    // Kong's prices win over the catalogue's.
    config.model.options = { anthropic_version: '2023-06-01', input_cost: 2, output_cost: 8 };
    expect((await run(config, chat({ ...body, model: 'claude-haiku-4-5' }))).exchange.pricing).toEqual({ source: 'config', costs: { input: 2, output: 8, cacheRead: 0, cacheWrite: 0 } });
  });

  it('keeps the client key with allow_override, adds a query param key, honours upstream_url', async () => {
    const config = anthropicConfig({ auth: { header_name: 'x-api-key', header_value: 'sk-configured', allow_override: true } });
    config.model.options = { anthropic_version: '2023-06-01', upstream_url: 'http://127.0.0.1:7000/proxy/v1/messages' };
    const { upstream } = await run(config, chat(body, { headers: { 'x-api-key': 'client' }, path: '/anything/v1/messages/count_tokens' }));
    expect(upstream.headers['x-api-key']).toBe('client');
    expect(upstream).toMatchObject({ scheme: 'http', host: '127.0.0.1', port: 7000, path: '/proxy/v1/messages/count_tokens' });
    const withParam = anthropicConfig({ auth: { param_name: 'key', param_value: 'pv', param_location: 'query' } });
    expect((await run(withParam, chat(body))).upstream.query).toBe('beta=true&key=pv');
  });
});
