/**
 * Anthropic's Models API answered by ai-proxy's access phase, from what the route serves: the list with
 * cursor pagination and the lifecycle filter, one model by id or alias, and errors in Anthropic's shape.
 * (The real @anthropic-ai/sdk's models.list() / retrieve() run against gw in test/e2e/catalogue-route.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { AI_CALL, GatewayError } from '@gw/plugin-api';
import plugin from '../../src/index.js';
import type { AiProxyConfig } from '../../src/config/types.js';
import type { AiLocal, AiState } from '../../src/phases/state.js';
import { aiProxyConfig } from '../support/config.js';
import { fakeContext } from './fake-context.js';

const bedrockRoute = (extra: Partial<AiProxyConfig> = {}, model: Partial<AiProxyConfig['model']> = {}) =>
  aiProxyConfig({ model: { provider: 'bedrock', options: { bedrock: { aws_region: 'us-east-1' } }, ...model }, ...extra });

async function get(config: AiProxyConfig, path: string, query = '', method = 'GET') {
  const state = (await plugin.init!(config, { logger: console, configDir: '.', pluginId: 'plugin-1' })) as AiState;
  const local: AiLocal = {};
  const fake = fakeContext({ method, path, query, body: '' });
  const answer = await plugin.access!({ ctx: fake.ctx, config, state, local });
  return { answer: answer as Response, fake, local };
}

async function json(config: AiProxyConfig, path: string, query = ''): Promise<any> {
  const { answer } = await get(config, path, query);
  expect(answer).toBeInstanceOf(Response);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  return answer.json();
}

async function failure(config: AiProxyConfig, path: string, query = '', method = 'GET'): Promise<GatewayError> {
  try {
    await get(config, path, query, method);
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** What an unpinned Bedrock route in us-east-1 serves and lists by default: verified, not retired (Opus 4 is retired on Bedrock). */
const LISTED = [
  'claude-opus-5-5', 'claude-opus-4-6', 'claude-opus-4-5-20251101', 'claude-opus-4-1-20250805', 'claude-sonnet-4-6', 'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-20250514', 'claude-3-7-sonnet-20250219', 'claude-haiku-4-5-20251001', 'claude-3-5-haiku-20241022',
];

describe('GET …/v1/models', () => {
  it('lists what the route serves, as Anthropic does, without reading a body or opening an AI call', async () => {
    const { answer, fake, local } = await get(bedrockRoute(), '/anything/v1/models');
    const page = await answer.json();
    expect(page.data.map((m: { id: string }) => m.id)).toEqual(LISTED);
    expect(page).toMatchObject({ has_more: false, first_id: LISTED[0], last_id: LISTED.at(-1) });
    expect(page.data[5]).toEqual({
      type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z',
      lifecycle: 'active', line: 'sonnet', max_input_tokens: 200_000, max_tokens: 64_000,
      capabilities: null, deprecated_at: null, retires_at: null,
    });
    // No release date in an undated id: Anthropic's epoch; no limits in the catalogue: null.
    expect(page.data[1]).toMatchObject({ id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '1970-01-01T00:00:00Z', line: 'opus', max_tokens: null });
    expect(fake.calls).toEqual(['errorFormat:anthropic']);
    expect(local.exchange).toBeUndefined();
    expect(fake.channels.get(AI_CALL.key)).toBeUndefined();
  });

  it('pages with limit, after_id and before_id', async () => {
    const config = bedrockRoute();
    const first = await json(config, '/v1/models', 'limit=4');
    expect(first).toMatchObject({ has_more: true, first_id: LISTED[0], last_id: LISTED[3] });
    const second = await json(config, '/v1/models', `limit=4&after_id=${LISTED[3]}`);
    expect(second.data.map((m: { id: string }) => m.id)).toEqual(LISTED.slice(4, 8));
    expect(second.has_more).toBe(true);
    const last = await json(config, '/v1/models', `limit=4&after_id=${LISTED[7]}`);
    expect(last).toMatchObject({ has_more: false, first_id: LISTED[8], last_id: LISTED[9] });
    // Backwards: the page just before before_id; has_more says whether more lie before it.
    const back = await json(config, '/v1/models', `limit=3&before_id=${LISTED[4]}`);
    expect(back.data.map((m: { id: string }) => m.id)).toEqual(LISTED.slice(1, 4));
    expect(back.has_more).toBe(true);
    expect((await json(config, '/v1/models', `limit=3&before_id=${LISTED[1]}`)).has_more).toBe(false);
    const empty = await json(config, '/v1/models', `after_id=${LISTED[9]}`);
    expect(empty).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });

  it('filters by lifecycle: retired models only when asked for', async () => {
    const config = bedrockRoute();
    const retired = await json(config, '/v1/models', 'lifecycle[]=retired');
    expect(retired.data.map((m: { id: string; lifecycle: string }) => [m.id, m.lifecycle])).toEqual([['claude-opus-4-20250514', 'retired']]);
    expect((await json(config, '/v1/models', 'lifecycle=active,retired')).data).toHaveLength(11);
  });

  it('lists the models of a pinned route and its alias names, not every id its claude-* default accepts', async () => {
    const pinned = bedrockRoute({}, { name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' });
    expect((await json(pinned, '/v1/models')).data.map((m: { id: string }) => m.id)).toEqual(['claude-haiku-4-5-20251001']);
    const anthropic = aiProxyConfig({ model: { provider: 'anthropic', options: { anthropic_version: '2023-06-01' } }, model_aliases: { 'claude-opus-*': 'reject' } });
    const ids = (await json(anthropic, '/v1/models', 'limit=1000')).data.map((m: { id: string }) => m.id);
    expect(ids).toContain('claude-sonnet-5-5'); // unverified on Bedrock only; retired models are left out
    expect(ids.filter((id: string) => id.startsWith('claude-opus'))).toEqual([]);
  });

  it('refuses bad parameters and other methods in Anthropic terms', async () => {
    const config = bedrockRoute();
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'after_id=gpt-4o', 'lifecycle=gone', `after_id=${LISTED[0]}&before_id=${LISTED[2]}`]) {
      const error = await failure(config, '/v1/models', query);
      expect([error.code, error.status, error.anthropicType], query).toEqual(['GW_ERR_BAD_REQUEST', 400, 'invalid_request_error']);
    }
    const post = await failure(config, '/v1/models', '', 'POST');
    expect([post.code, post.status, post.headers]).toEqual(['GW_ERR_AI_METHOD_NOT_ALLOWED', 405, { allow: 'GET' }]);
  });
});

describe('GET …/v1/models/{id}', () => {
  it('describes a served model by id or alias (an alias answers with the model it names)', async () => {
    const config = bedrockRoute();
    expect(await json(config, '/anything/v1/models/claude-haiku-4-5-20251001')).toMatchObject({ type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' });
    expect((await json(config, '/v1/models/claude-sonnet-4-5')).id).toBe('claude-sonnet-4-5-20250929');
    // Retired models are still described, as Anthropic does.
    expect((await json(config, '/v1/models/claude-opus-4-0')).lifecycle).toBe('retired');
    const pinned = bedrockRoute({ model_aliases: {} }, { name: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc' });
    expect(await json(pinned, `/v1/models/${encodeURIComponent('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc')}`)).toMatchObject({
      id: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc', display_name: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc',
    });
  });

  it('answers 404 not_found_error for a model the route does not serve', async () => {
    for (const id of ['gpt-4o', 'claude-sonnet-5-5', 'claude-fable-5-1']) {
      const error = await failure(bedrockRoute(), `/v1/models/${id}`);
      expect([error.code, error.status, error.anthropicType, error.message]).toEqual(['GW_ERR_AI_MODEL_NOT_FOUND', 404, 'not_found_error', `model '${id}' is not served by this route`]);
    }
  });
});
