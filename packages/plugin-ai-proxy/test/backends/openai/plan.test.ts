import { describe, expect, it } from 'vitest';
import { planOpenAiCall } from '../../../src/backends/openai/plan.js';
import { openaiErrorReader } from '../../../src/backends/openai/errors.js';
import { openaiUsageCounts } from '../../../src/backends/openai/usage.js';
import type { AiProxyConfig, AuthConfig } from '../../../src/config/types.js';

const config = (upstreamUrl?: string, auth?: AuthConfig) =>
  ({ model: { provider: 'openai', options: upstreamUrl === undefined ? {} : { upstream_url: upstreamUrl } }, auth }) as unknown as AiProxyConfig;
const plan = (upstreamUrl?: string, operation: 'chat' | 'embeddings' = 'chat', auth?: AuthConfig, headers: Record<string, string> = {}, query = '') =>
  planOpenAiCall({ config: config(upstreamUrl, auth), operation, body: undefined, query, clientHeaders: headers });

describe('where an OpenAI call goes', () => {
  it.each([
    [undefined, 'chat', 'https', 'api.openai.com', 443, '/v1/chat/completions'],
    [undefined, 'embeddings', 'https', 'api.openai.com', 443, '/v1/embeddings'],
    ['http://127.0.0.1:8080', 'chat', 'http', '127.0.0.1', 8080, '/v1/chat/completions'],
    ['http://vllm:8000/v1', 'chat', 'http', 'vllm', 8000, '/v1/chat/completions'],
    ['http://vllm:8000/v1/', 'embeddings', 'http', 'vllm', 8000, '/v1/embeddings'],
    ['https://proxy.example/openai/v1/chat/completions', 'chat', 'https', 'proxy.example', 443, '/openai/v1/chat/completions'],
    ['https://proxy.example/openai/v1/chat/completions', 'embeddings', 'https', 'proxy.example', 443, '/openai/v1/embeddings'],
  ] as const)('%s (%s) → %s://%s:%d%s', (url, operation, scheme, host, port, path) => {
    const planned = plan(url, operation);
    expect(planned.endpoint).toMatchObject({ scheme, host, port });
    expect(planned.path).toBe(path);
    expect(planned.headers['accept-encoding']).toBe('identity');
  });

  it("sends the gateway's key instead of the client's, and knows the key is the gateway's", () => {
    const auth = { header_name: 'Authorization', header_value: 'Bearer sk-gw' };
    const planned = plan(undefined, 'chat', auth, { authorization: 'Bearer client', 'x-api-key': 'k' });
    expect(planned.headers).toMatchObject({ authorization: 'Bearer sk-gw', 'x-api-key': null });
    expect(planned.gatewayKey).toBe(true);
    // allow_override: the client's own header wins, and a refusal is the client's.
    const overridden = plan(undefined, 'chat', { ...auth, allow_override: true }, { authorization: 'Bearer client' });
    expect(overridden.headers.authorization).toBeUndefined();
    expect(overridden.gatewayKey).toBe(false);
    const query = plan(undefined, 'chat', { param_name: 'api-key', param_value: 'sk-q', param_location: 'query' }, {}, 'a=1');
    expect(query.query).toBe('a=1&api-key=sk-q');
    expect(query.gatewayKey).toBe(true);
    expect(plan().gatewayKey).toBe(false);
  });
});

describe("OpenAI's errors and usage", () => {
  const body = JSON.stringify({ error: { message: 'Incorrect API key provided: sk-gw***1234. authorization: Bearer sk-secret', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });

  it("a 401 for the gateway's key is gw's fault (403 permission); for the client's key it stays 401", () => {
    expect(openaiErrorReader(true)(401, {}, body).error).toMatchObject({ status: 403, kind: 'permission' });
    const client = openaiErrorReader(false)(401, {}, body);
    expect(client.error).toMatchObject({ status: 401, kind: 'authentication' });
    expect(client.upstreamType).toBe('invalid_api_key');
    expect(client.error.message).toBe('Incorrect API key provided: sk-REDACTED. authorization: REDACTED');
  });

  it('statuses keep their meaning; a body that is not OpenAI\'s still gives an error', () => {
    expect(openaiErrorReader(false)(429, {}, '{"error":{"message":"slow","type":"requests","code":"rate_limit_exceeded"}}').error).toMatchObject({ status: 429, kind: 'rate_limited', message: 'slow' });
    expect(openaiErrorReader(false)(503, {}, '<html>busy</html>').error).toMatchObject({ status: 503, kind: 'overloaded', message: 'upstream error without a message' });
  });

  it('usage: cached tokens out of input, reasoning part of output', () => {
    expect(openaiUsageCounts({ prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 25 } }))
      .toEqual({ input: 40, cacheRead: 60, cacheWrite: 0, output: 40, reasoning: 25 });
    expect(openaiUsageCounts(null)).toBeUndefined();
    expect(openaiUsageCounts({ prompt_tokens: 5, completion_tokens: 1 })).toEqual({ input: 5, cacheRead: 0, cacheWrite: 0, output: 1 });
  });
});
