/**
 * The built `gw` on examples/embeddings-bedrock/kong.yaml (key-auth, two ai-proxy embeddings routes,
 * file-log) with the real `openai` SDK as the client and the Bedrock emulator as Bedrock: the example works
 * as its README says, the SDK's default base64 answers decode, and each call is logged and priced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import OpenAI from 'openai';
import { eventually, repoRoot, startStack, type Stack } from './support/stack.js';

const DEV_KEY = 'gw-e2e-embeddings-dev-key-0123456789abcdef';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ example: join(repoRoot, 'examples/embeddings-bedrock/kong.yaml'), logPath: '/tmp/embeddings.json', deckEnv: { DECK_DEV_KEY: DEV_KEY } });
});
afterAll(() => stack?.stop());

const lineOf = (id: string | null) =>
  eventually(() => stack.logLines().find((line) => (line as { request: { id: string } }).request.id === id) as Record<string, any> | undefined, `the log line of ${String(id)}`);

describe('examples/embeddings-bedrock with the OpenAI SDK', () => {
  it('Cohere: a batch of documents, then a query with its own input_type', async () => {
    const client = new OpenAI({ baseURL: `${stack.gwUrl}/cohere/v1`, apiKey: DEV_KEY, maxRetries: 0 });
    const { data, response } = await client.embeddings.create({ model: 'cohere.embed-english-v3', input: ['first chunk', 'second chunk'] }).withResponse();
    expect(data.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 1024], [1, 1024]]);
    expect(stack.emulator.received.at(-1)!.json).toEqual({ texts: ['first chunk', 'second chunk'], input_type: 'search_document', embedding_types: ['float'] });
    const line = await lineOf(response.headers.get('x-kong-request-id'));
    expect(line.ai.proxy.usage.prompt_tokens).toBe(data.usage.prompt_tokens);
    expect(line.ai.proxy.usage.cost).toBeCloseTo((data.usage.prompt_tokens * 0.1) / 1e6, 12);
    expect(line.ai.proxy.tried_targets[0].route_type).toBe('llm/v1/embeddings');

    await client.embeddings.create({ model: 'cohere.embed-english-v3', input: 'what is in the first chunk?', input_type: 'search_query' } as OpenAI.EmbeddingCreateParams);
    expect((stack.emulator.received.at(-1)!.json as { input_type: string }).input_type).toBe('search_query');
  });

  it('Titan: one text, the configured 512 dimensions unless asked, unit-length vectors', async () => {
    const client = new OpenAI({ baseURL: `${stack.gwUrl}/titan/v1`, apiKey: DEV_KEY, maxRetries: 0 });
    const configured = await client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: 'one text' });
    expect(configured.data[0]!.embedding).toHaveLength(512);
    const norm = Math.sqrt(configured.data[0]!.embedding.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    const asked = await client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: 'one text', dimensions: 256 });
    expect(asked.data[0]!.embedding).toHaveLength(256);
    const error = await client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: ['a', 'b'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('refuses a client without a gw key in OpenAI\'s shape', async () => {
    const client = new OpenAI({ baseURL: `${stack.gwUrl}/titan/v1`, apiKey: 'wrong', maxRetries: 0 });
    const error = (await client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.error).toMatchObject({ type: 'authentication_error', param: null });
  });
});
