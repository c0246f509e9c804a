/**
 * A Bedrock-native request through ai-proxy's access and upstream phases: Claude Code 2.1.330's own
 * Bedrock-mode requests (captured) and AWS SDK-shaped ones, re-aimed at gw's Bedrock and re-signed.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import plugin from '../../../src/index.js';
import { joinBytes } from '../../../src/text/byte-text.js';
import type { AiProxyConfig } from '../../../src/config/types.js';
import type { AiLocal, AiState } from '../../../src/phases/state.js';
import { aiProxyConfig } from '../../support/config.js';
import { readFixture, type Capture } from '../../support/fixtures.js';
import { fakeContext, type FakeRequest } from '../../plugin/fake-context.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDGATEWAYKEY0000001', AWS_SECRET_ACCESS_KEY: 'gatewaySecret/000000000000000000000000000' };

function nativeConfig(extra: Partial<AiProxyConfig> = {}, model: Partial<AiProxyConfig['model']> = {}): AiProxyConfig {
  return aiProxyConfig({
    llm_format: 'bedrock',
    logging: { log_statistics: true, log_payloads: false },
    auth: { aws_access_key_id: KEYS.AWS_ACCESS_KEY_ID, aws_secret_access_key: KEYS.AWS_SECRET_ACCESS_KEY },
    model: { provider: 'bedrock', name: MODEL, options: { bedrock: { aws_region: 'us-west-2' } }, ...model },
    ...extra,
  });
}

async function run(config: AiProxyConfig, request: FakeRequest) {
  const state = (await plugin.init!(config, { logger: console, configDir: '.', pluginId: 'plugin-1' })) as AiState;
  const local: AiLocal = {};
  const fake = fakeContext(request);
  await plugin.access!({ ctx: fake.ctx, config, state, local });
  await plugin.upstream!({ ctx: fake.ctx, config, state, local, upstream: fake.upstream });
  return { ...fake, local, exchange: local.exchange! };
}

async function failure(config: AiProxyConfig, request: FakeRequest): Promise<GatewayError> {
  try {
    await run(config, request);
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const capture = readFixture<Capture>('bedrock/claude-code-bedrock-mode-2.1.330.full.json');
const main = capture.requests.find((r) => r.url.endsWith('/invoke-with-response-stream'))!;
const captured = (request: typeof main, prefix = '/bedrock'): FakeRequest => ({
  path: `${prefix}${request.url}`,
  headers: request.headers,
  body: JSON.stringify(request.body),
});
/** Claude Code 2.1's start-up probe of a model (its `max_tokens: 1` body, as captured, with its own headers). */
const probeRequest = capture.requests.find((r) => r.url === `/model/${MODEL}/invoke`)!;
const probe = (model: string): FakeRequest => ({
  path: `/bedrock/model/${model}/invoke`,
  headers: probeRequest.headers,
  body: JSON.stringify({ max_tokens: 1, messages: [{ role: 'user', content: '.' }], anthropic_version: 'bedrock-2023-05-31' }),
});
const hi = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const sdk = (path: string, body: unknown, headers: Record<string, string> = {}): FakeRequest => ({
  path,
  headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDCLIENT/20261124/us-west-2/bedrock/aws4_request, SignedHeaders=host, Signature=00', 'x-amz-date': '20261124T000000Z', 'x-amz-security-token': 'client-session-token', ...headers },
  body: JSON.stringify(body),
});

describe('Bedrock-native request → Bedrock, access + upstream', () => {
  it("sends Claude Code 2.1.330's Bedrock-mode stream call on as its own bytes, re-signed with gw's keys", async () => {
    const { upstream, exchange, calls, channels } = await run(nativeConfig(), captured(main));
    expect(calls[0]).toBe('errorFormat:bedrock');
    expect(upstream).toMatchObject({ method: 'POST', scheme: 'https', host: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443, query: '' });
    expect(upstream.path).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream');
    // The policy keeps the one beta Claude Code's Bedrock mode sends: the body goes on byte for byte.
    expect(joinBytes(upstream.body!).equals(Buffer.from(JSON.stringify(main.body)))).toBe(true);
    expect(String(upstream.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDGATEWAYKEY0000001\/\d{8}\/us-west-2\/bedrock\/aws4_request, /);
    expect(String(upstream.headers.authorization)).not.toContain('AKIDEXAMPLE'); // the client's SigV4
    expect(upstream.headers['x-amzn-bedrock-accept']).toBe('application/json');
    for (const name of ['anthropic-beta', 'anthropic-version', 'x-app', 'x-claude-code-session-id', 'x-stainless-lang']) expect(upstream.headers[name], name).toBeUndefined();
    expect(exchange).toMatchObject({ provider: 'bedrock', kind: 'chat', mode: 'stream', requestModel: MODEL, clientModel: MODEL });
    expect(exchange.localTokenEstimate).toBe(Math.ceil(main.bodyBytes / 4));
    // Metrics, traces and budgets see the call as a Bedrock-format one.
    expect([...channels.values()]).toContainEqual(expect.objectContaining({ provider: 'bedrock', format: 'bedrock', routeType: 'llm/v1/chat', model: MODEL, stream: true }));
  });

  it("takes the model and operation from the path in every spelling: raw ':', '%3A', an ARN's '%2F'", async () => {
    const arn = 'arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/abc123';
    const viaSdk = await run(nativeConfig(), sdk(`/bedrock/model/${encodeURIComponent(MODEL)}/invoke`, hi));
    expect(viaSdk.exchange.clientModel).toBe(MODEL);
    expect(viaSdk.upstream.path).toBe(`/model/${encodeURIComponent(MODEL)}/invoke`);
    expect(viaSdk.exchange.mode).toBe('oneshot');
    const viaArn = await run(nativeConfig({}, { name: arn }), sdk(`/bedrock/model/${encodeURIComponent(arn)}/converse-stream`, { messages: [] }));
    expect(viaArn.exchange.clientModel).toBe(arn);
    expect(viaArn.upstream.path).toBe('/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse-stream');
    expect(viaArn.exchange.mode).toBe('stream');
  });

  it("never forwards the client's credentials: SigV4, session token, bearer key", async () => {
    const { upstream } = await run(nativeConfig(), sdk(`/bedrock/model/${MODEL}/invoke`, hi, { 'x-api-key': 'gw-key' }));
    expect(String(upstream.headers.authorization)).not.toContain('AKIDCLIENT');
    expect(upstream.headers['x-amz-security-token']).toBeUndefined();
    expect(upstream.headers['x-api-key']).toBeUndefined();
    const bearer = await run(nativeConfig(), { ...sdk(`/bedrock/model/${MODEL}/invoke`, hi), headers: { authorization: 'Bearer gw-key' } });
    expect(String(bearer.upstream.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it("passes the operation's own parameters on, signed: guardrail, trace, content type, accept", async () => {
    const { upstream } = await run(nativeConfig(), sdk(`/bedrock/model/${MODEL}/invoke`, hi, {
      accept: 'application/json',
      'x-amzn-bedrock-guardrailidentifier': 'gr-1',
      'x-amzn-bedrock-guardrailversion': '2',
      'x-amzn-bedrock-trace': 'ENABLED',
      'x-amzn-bedrock-unknown': 'dropped',
    }));
    expect(upstream.headers).toMatchObject({ accept: 'application/json', 'x-amzn-bedrock-guardrailidentifier': 'gr-1', 'x-amzn-bedrock-guardrailversion': '2', 'x-amzn-bedrock-trace': 'ENABLED' });
    expect(upstream.headers['x-amzn-bedrock-unknown']).toBeUndefined();
    const signed = /SignedHeaders=([^,]+)/.exec(String(upstream.headers.authorization))![1]!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['accept', 'content-type', 'x-amzn-bedrock-guardrailidentifier', 'x-amzn-bedrock-guardrailversion', 'x-amzn-bedrock-trace']));
  });

  it("applies gw's model policy to the path's model: aliases for Claude ids, Kong's message otherwise", async () => {
    // Claude Code 2.1's start-up probes name other Claude models: on a Claude route they reach the configured one.
    const probed = await run(nativeConfig(), probe('us.anthropic.claude-opus-5-5'));
    expect(probed.exchange.clientModel).toBe('us.anthropic.claude-opus-5-5');
    expect(probed.upstream.path).toBe(`/model/${encodeURIComponent(MODEL)}/invoke`);
    // model_aliases: {} pins the route, as Kong does.
    const pinned = await failure(nativeConfig({ model_aliases: {} }), probe('us.anthropic.claude-opus-5-5'));
    expect(pinned.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    expect(pinned.message).toBe(`cannot use own model - must be: ${MODEL}`);
    // Another family gets no default alias: its body would not fit.
    const llama = await failure(nativeConfig({}, { name: 'meta.llama3-70b-instruct-v1:0' }), sdk(`/model/${MODEL}/invoke`, hi));
    expect(llama.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    // No model.name: the path's model goes through (Kong).
    const open = await run(nativeConfig({}, { name: undefined }), sdk('/model/meta.llama3-70b-instruct-v1:0/converse', { messages: [] }));
    expect(open.upstream.path).toBe('/model/meta.llama3-70b-instruct-v1%3A0/converse');
  });

  it('refuses what is no Bedrock Runtime operation, a stream when streaming is denied, and a body that is no JSON object', async () => {
    const profiles = await failure(nativeConfig(), { method: 'GET', path: '/bedrock/inference-profiles', query: 'type=SYSTEM_DEFINED', body: '' });
    expect(profiles.status).toBe(404);
    expect(profiles.message).toMatch(/^this route serves only the Bedrock Runtime operations/);
    expect((await failure(nativeConfig(), sdk(`/model/${MODEL}/invoke-async`, hi))).status).toBe(404);
    expect((await failure(nativeConfig(), { ...sdk(`/model/${MODEL}/invoke`, hi), method: 'GET' })).code).toBe('GW_ERR_AI_METHOD_NOT_ALLOWED');
    expect((await failure(nativeConfig({ response_streaming: 'deny' }), sdk(`/model/${MODEL}/converse-stream`, { messages: [] }))).code).toBe('GW_ERR_AI_STREAMING_DENIED');
    expect((await failure(nativeConfig(), sdk(`/model/${MODEL}/invoke`, [1, 2]))).code).toBe('GW_ERR_AI_INVALID_BODY');
    expect((await failure(nativeConfig(), { ...sdk(`/model/${MODEL}/invoke`, {}), body: '{"max_tokens":1,"max_tokens":2}' })).code).toBe('GW_ERR_AI_DUPLICATE_KEY');
  });

  it("leaves the mode to the path: response_streaming 'always' does not make an invoke a stream", async () => {
    const { upstream, exchange } = await run(nativeConfig({ response_streaming: 'always' }), sdk(`/model/${MODEL}/invoke`, hi));
    expect(upstream.path).toMatch(/\/invoke$/);
    expect(exchange.mode).toBe('oneshot');
  });

  it('passes CountTokens on as count_tokens', async () => {
    const body = { input: { invokeModel: { body: Buffer.from(JSON.stringify(hi)).toString('base64') } } };
    const { upstream, exchange } = await run(nativeConfig({}, { name: 'anthropic.claude-haiku-4-5-20251001-v1:0' }), sdk('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens', body));
    expect(upstream.path).toBe('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens');
    expect(exchange.kind).toBe('count_tokens');
    expect(JSON.parse(joinBytes(upstream.body!).toString('utf8'))).toEqual(body);
    // An id aliased to an inference profile is counted on its foundation model, as CountTokens requires.
    const aliased = await run(nativeConfig(), sdk('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens', body));
    expect(aliased.exchange.requestModel).toBe(MODEL);
    expect(aliased.upstream.path).toBe('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens');
  });
});
