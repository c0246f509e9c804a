/**
 * The OpenAI SDK's `embeddings.create` (the real `openai` package) → gw (llm_format openai, route_type
 * llm/v1/embeddings, provider openai, key-auth, file-log) → the OpenAI emulator's /v1/embeddings: the body
 * passes through with gw's key (and gw's model when it pins one), token ids included; the answer comes back
 * as OpenAI sent it, float or base64; usage, cost and the log record; OpenAI's errors keep their shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startOpenAiEmulator, type OpenAiEmulator } from '@gw/openai-emulator';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { eventually, readLogLines, startGateway, tempDir, type RunningGateway } from './support/gateway.js';

const PROVIDER_KEY = 'sk-proj-embeddings-provider-key-must-never-be-logged';
const CLIENT_KEY = 'gw-embeddings-openai-client-key-never-logged';
const MODEL = 'text-embedding-3-small';
const INPUT_COST = 0.02;

/** What a plugin that runs its log phase before ai-proxy's (budgets, metrics) reads on AI_CALL. */
const { plugin: watcher, calls } = aiCallWatcher();

let emulator: OpenAiEmulator;
let gw: RunningGateway;
let logPath: string;
let client: OpenAI;
let pinned: OpenAI;

function config(upstream: string): string {
  return `_format_version: "3.0"
services:
  - name: openai
    url: http://127.0.0.1:9
    routes:
      - name: embeddings
        paths: [/embeddings-api]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/embeddings
              genai_category: text/embeddings
              logging: { log_statistics: true }
              auth: { header_name: Authorization, header_value: Bearer ${PROVIDER_KEY} }
              model:
                provider: openai
                options: { upstream_url: "${upstream}", input_cost: ${INPUT_COST} }
      - name: pinned
        paths: [/pinned]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/embeddings
              logging: { log_statistics: true }
              auth: { header_name: Authorization, header_value: Bearer ${PROVIDER_KEY} }
              model_aliases: { "*": text-embedding-3-large }
              model:
                provider: openai
                name: text-embedding-3-large
                options: { upstream_url: "${upstream}/embeddings", embeddings_dimensions: 256, input_cost: 0.13 }
      - name: wrong-key
        paths: [/wrong-key]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/embeddings
              auth: { header_name: Authorization, header_value: Bearer sk-wrong-gateway-key-0000 }
              model: { provider: openai, options: { upstream_url: "${upstream}", input_cost: 1 } }
consumers:
  - username: dev
    keyauth_credentials:
      - key: ${CLIENT_KEY}
plugins:
  - name: key-auth
    config: { key_names: [authorization], hide_credentials: true }
  - name: ai-call-watcher
    config: {}
  - name: file-log
    config: { path: ${logPath} }
`;
}

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ apiKeys: [PROVIDER_KEY] });
  const dir = tempDir();
  logPath = join(dir, 'embeddings-openai.json');
  gw = await startGateway(config(`${emulator.url}/v1`), { dir, plugins: [watcher] });
  client = new OpenAI({ baseURL: `${gw.url}/embeddings-api/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
  pinned = new OpenAI({ baseURL: `${gw.url}/pinned`, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await emulator?.close();
});

const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line) => line.request.id === id), `the log line of ${String(id)}`);

describe('the OpenAI SDK embeddings through gw to OpenAI', () => {
  it('passes the client bytes with gw key, relays the answer (base64 decoded by the SDK), logs usage and cost', async () => {
    const { data, response } = await client.embeddings.create({ model: MODEL, input: ['alpha', 'beta'] }).withResponse();
    const sent = emulator.received.at(-1)!;
    expect(sent.path).toBe('/v1/embeddings');
    expect(sent.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    // The SDK asks for base64 by default; the body is the client's, byte for byte.
    expect(sent.json).toEqual({ model: MODEL, input: ['alpha', 'beta'], encoding_format: 'base64' });
    expect(data.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 1536], [1, 1536]]);
    const floats = await client.embeddings.create({ model: MODEL, input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(Array.from(data.data[1]!.embedding)).toEqual(floats.data[1]!.embedding);
    // What the emulator counts (about four bytes a token, at least one per text), read from its answer.
    const tokens = 2 + 1;
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });

    const id = response.headers.get('x-kong-request-id');
    const line = await logLineOf(id);
    expect(line.ai.proxy.meta).toMatchObject({ provider_name: 'openai', request_model: MODEL, response_model: MODEL, request_mode: 'oneshot' });
    expect(line.ai.proxy.usage).toMatchObject({ prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, cost_source: 'config' });
    expect(line.ai.proxy.usage.cost).toBeCloseTo((tokens * INPUT_COST) / 1e6, 12);
    expect(line.ai.proxy.tried_targets[0]).toMatchObject({ provider: 'openai', route_type: 'llm/v1/embeddings', upstream_uri: '/v1/embeddings' });
    expect(JSON.stringify(line)).not.toContain(PROVIDER_KEY);
    expect(calls.get(id!)).toMatchObject({ call: { provider: 'openai', format: 'openai', routeType: 'llm/v1/embeddings', model: MODEL }, usage: { tokens: { input: tokens, output: 0 }, complete: true } });
  });

  it('token ids go through to OpenAI, which takes them', async () => {
    const list = await client.embeddings.create({ model: MODEL, input: [[1, 2, 3], [4, 5]], encoding_format: 'float' });
    expect(list.data).toHaveLength(2);
    expect(list.usage.prompt_tokens).toBe(5);
    expect((emulator.received.at(-1)!.json as { input: unknown }).input).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("a pinned route sends its model and Kong's embeddings_dimensions when the client sets none", async () => {
    const list = await pinned.embeddings.create({ model: 'anything', input: 'x' });
    expect(emulator.received.at(-1)!.json).toEqual({ model: 'text-embedding-3-large', input: 'x', encoding_format: 'base64', dimensions: 256 });
    expect(list.data[0]!.embedding).toHaveLength(256);
    expect(list.model).toBe('text-embedding-3-large');
    await pinned.embeddings.create({ model: 'text-embedding-3-large', input: 'x', dimensions: 512 });
    expect((emulator.received.at(-1)!.json as { dimensions: number }).dimensions).toBe(512);
  });

  it("OpenAI's own refusal keeps its type and param; a refused gateway key is gw's 403, not the client's 401", async () => {
    const bad = (await client.embeddings.create({ model: MODEL, input: 'x', input_type: 'search_query' } as OpenAI.EmbeddingCreateParams).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    const wrong = new OpenAI({ baseURL: `${gw.url}/wrong-key`, apiKey: CLIENT_KEY, maxRetries: 0 });
    const error = (await wrong.embeddings.create({ model: MODEL, input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(JSON.stringify(error.error)).not.toContain('sk-wrong');
  });
});
