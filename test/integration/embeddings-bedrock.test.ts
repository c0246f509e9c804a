/**
 * The OpenAI SDK's `embeddings.create` (the real `openai` package) → gw (llm_format openai, route_type
 * llm/v1/embeddings, key-auth, file-log) → the Bedrock emulator's embeddings models over InvokeModel:
 * Titan Text Embeddings v2 (one text per call) and Cohere Embed v3 (texts[]); float and base64 answers,
 * dimensions, errors typed as the SDK knows them, and the ai.proxy record and AI_CALL of each call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, deckEnv } from './support/bedrock.js';

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-english-v3';
const INPUT_COST = 0.02; // per million tokens
const CLIENT_KEY = 'gw-embeddings-client-key-must-never-be-logged';

/** What a plugin that runs its log phase before ai-proxy's (budgets, metrics) reads on AI_CALL. */
const { plugin: watcher, calls } = aiCallWatcher();

function route(name: string, model: string | undefined, options = ''): string {
  return `  - name: ai-proxy
    route: ${name}
    config:
      llm_format: openai
      route_type: llm/v1/embeddings
      genai_category: text/embeddings
      logging:
        log_statistics: true
      auth:
        aws_access_key_id: "\${aws_access_key_id}"
        aws_secret_access_key: "\${aws_secret_access_key}"
      model:
        provider: bedrock
${model === undefined ? '' : `        name: ${model}\n`}        options:
          input_cost: ${INPUT_COST}
          bedrock:
            aws_region: "\${aws_region}"
${options}`;
}

function config(logPath: string): string {
  return `_format_version: "3.0"
services:
  - name: embeddings
    url: http://127.0.0.1:9
    routes:
      - name: titan
        paths: [/titan]
      - name: cohere
        paths: [/cohere]
      - name: any
        paths: [/any]
consumers:
  - username: dev
    keyauth_credentials:
      - key: ${CLIENT_KEY}
plugins:
  - name: key-auth
    config:
      key_names: [authorization]
      hide_credentials: true
${route('titan', TITAN, '            embeddings_normalize: true\n')}${route('any', undefined)}${route('cohere', COHERE, '            embeddings_input_type: search_query\n')}  - name: ai-call-watcher
    config: {}
  - name: file-log
    config:
      path: ${logPath}
`;
}

let emulator: Emulator;
let gw: RunningGateway;
let logPath: string;
let restoreEnv: () => void;
let titan: OpenAI;
let cohere: OpenAI;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
  restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
  const dir = tempDir();
  logPath = join(dir, 'embeddings.json');
  gw = await startGateway(config(logPath), { dir, env: deckEnv, plugins: [watcher] });
  titan = new OpenAI({ baseURL: `${gw.url}/titan/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
  cohere = new OpenAI({ baseURL: `${gw.url}/cohere`, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  restoreEnv?.();
  await emulator?.close();
});

const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line) => line.request.id === id), `the log line of ${String(id)}`);
const lastReceived = () => emulator.received.at(-1)!;
const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('the OpenAI SDK embeddings through gw to Bedrock', () => {
  it('Titan: a string input, float encoding, the vector as Bedrock made it, usage, log record and AI_CALL', async () => {
    const { data, response } = await titan.embeddings.create({ model: TITAN, input: 'hello embeddings', encoding_format: 'float' }).withResponse();
    const sent = lastReceived();
    expect(sent).toMatchObject({ operation: 'invoke', modelId: TITAN, signatureValid: true });
    expect(sent.json).toEqual({ inputText: 'hello embeddings', normalize: true, embeddingTypes: ['float'] });
    expect(JSON.stringify(sent.headers)).not.toContain(CLIENT_KEY);

    expect(data.object).toBe('list');
    expect(data.model).toBe(TITAN);
    expect(data.data).toHaveLength(1);
    expect(data.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(data.data[0]!.embedding).toHaveLength(1024);
    expect(norm(data.data[0]!.embedding)).toBeCloseTo(1, 5);
    const tokens = Math.ceil(Buffer.byteLength('hello embeddings') / 4);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });

    const id = response.headers.get('x-kong-request-id');
    const line = await logLineOf(id);
    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ request_model: TITAN, response_model: TITAN, provider_name: 'bedrock', request_mode: 'oneshot' });
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);
    expect(ai.usage).toMatchObject({ prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, cost_source: 'config' });
    expect(ai.usage.cost).toBeCloseTo((tokens * INPUT_COST) / 1e6, 12);
    expect(ai.tried_targets[0]).toMatchObject({ provider: 'bedrock', route_type: 'llm/v1/embeddings', upstream_uri: `/model/${encodeURIComponent(TITAN)}/invoke` });
    expect(line.request.headers.authorization).toBe('REDACTED');
    expect(JSON.stringify(line)).not.toContain(AWS_KEYS.secretAccessKey);

    const seen = calls.get(id!)!;
    expect(seen.call).toMatchObject({ provider: 'bedrock', format: 'openai', routeType: 'llm/v1/embeddings', model: TITAN, clientModel: TITAN, stream: false });
    expect(seen.usage).toMatchObject({ tokens: { input: tokens, output: 0, cacheRead: 0, cacheWrite: 0 }, complete: true, estimated: { input: false, output: false } });
    expect(seen.usage.costUsd).toBeCloseTo((tokens * INPUT_COST) / 1e6, 12);
    expect(seen.usage.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('Titan: the SDK default (base64 on the wire) decodes to the same float32 values, with dimensions', async () => {
    const floats = await titan.embeddings.create({ model: TITAN, input: ['same text'], encoding_format: 'float', dimensions: 256 });
    const decoded = await titan.embeddings.create({ model: TITAN, input: 'same text', dimensions: 256 });
    expect(lastReceived().json).toEqual({ inputText: 'same text', dimensions: 256, normalize: true, embeddingTypes: ['float'] });
    expect(decoded.data[0]!.embedding).toHaveLength(256);
    expect(Array.from(decoded.data[0]!.embedding)).toEqual(floats.data[0]!.embedding.map((x) => Math.fround(x)));
    // What went over the wire really was base64 of little-endian float32, as OpenAI sends it.
    const raw = await titan.embeddings.create({ model: TITAN, input: 'same text', dimensions: 256, encoding_format: 'base64' });
    const b64 = raw.data[0]!.embedding as unknown as string;
    expect(typeof b64).toBe('string');
    const bytes = Buffer.from(b64, 'base64');
    expect(bytes.byteLength).toBe(256 * 4);
    expect(bytes.readFloatLE(4)).toBe(Math.fround(floats.data[0]!.embedding[1]!));
  });

  it('Titan: an array of several texts is refused naming input and the one-text limit', async () => {
    const before = emulator.received.length;
    const error = (await titan.embeddings.create({ model: TITAN, input: ['a', 'b'] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('input');
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('embeds one text per call');
    expect(emulator.received.length).toBe(before);
  });

  it('Titan: dimensions it does not make are refused naming the ones it does', async () => {
    const error = (await titan.embeddings.create({ model: TITAN, input: 'x', dimensions: 1536 }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('dimensions');
    expect(error.message).toContain('256, 512, 1024');
  });

  it('Cohere: an array of texts in one call, vectors at their indexes, input_type from the config, the header count as usage', async () => {
    const inputs = ['first document', 'second one', 'third'];
    const { data, response } = await cohere.embeddings.create({ model: COHERE, input: inputs }).withResponse();
    expect(lastReceived().json).toEqual({ texts: inputs, input_type: 'search_query', embedding_types: ['float'] });
    expect(data.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(data.data.every((d) => d.embedding.length === 1024)).toBe(true);
    expect(data.data[0]!.embedding).not.toEqual(data.data[1]!.embedding);
    const tokens = inputs.reduce((sum, text) => sum + Math.ceil(Buffer.byteLength(text) / 4), 0);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    expect(line.ai.proxy.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens });
    expect(line.ai.proxy.meta).toMatchObject({ request_model: COHERE, response_model: COHERE, provider_name: 'bedrock' });
    // The same text at the same index, whether alone or in a batch.
    const alone = await cohere.embeddings.create({ model: COHERE, input: 'second one', encoding_format: 'float' });
    expect(alone.data[0]!.embedding.map((x) => Math.fround(x))).toEqual(Array.from(data.data[1]!.embedding));
  });

  it("Cohere: the request's own input_type wins; a member Cohere doesn't take is refused as OpenAI refuses it", async () => {
    await cohere.embeddings.create({ model: COHERE, input: 'q', input_type: 'classification' } as OpenAI.EmbeddingCreateParams);
    expect((lastReceived().json as { input_type: string }).input_type).toBe('classification');
    const error = (await cohere.embeddings.create({ model: COHERE, input: 'q', top_k: 3 } as OpenAI.EmbeddingCreateParams).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('top_k');
    expect(error.message).toBe('400 Unrecognized request argument supplied: top_k');
  });

  it('token arrays are refused with a 400 naming input', async () => {
    for (const input of [[1, 2, 3], [[1, 2], [3]]]) {
      const error = (await cohere.embeddings.create({ model: COHERE, input }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('input');
      expect(error.message).toContain('token arrays are not supported');
    }
  });

  it('a throttled call is a 429 the SDK retries, and it succeeds', async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/cohere`, apiKey: CLIENT_KEY, maxRetries: 2 });
    const before = emulator.received.length;
    const done = await retrying.embeddings.create({ model: COHERE, input: 'x [scenario:throttle_once]' });
    expect(done.data).toHaveLength(1);
    expect(emulator.received.length - before).toBe(2);
    emulator.queue({ name: 'throttle', retryAfter: 1 });
    const error = (await titan.embeddings.create({ model: TITAN, input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('1');
    const line = await logLineOf(error.headers?.get('x-kong-request-id'));
    expect(line.ai.proxy.error).toMatchObject({ status: 429, type: 'rate_limit_error', upstream_status: 429, upstream_type: 'ThrottlingException' });
  });

  it("Bedrock's refusal of a body reaches the SDK as a 400 with Bedrock's message", async () => {
    // Cohere v3 takes at most 2048 characters per text; gw leaves that check to Bedrock.
    const error = (await cohere.embeddings.create({ model: COHERE, input: 'x'.repeat(2049) }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('#/texts/0: expected maxLength: 2048');
  });

  it('a route without model.name takes the client\'s embeddings model, and refuses others naming the ones it maps', async () => {
    const any = new OpenAI({ baseURL: `${gw.url}/any/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
    await any.embeddings.create({ model: 'cohere.embed-multilingual-v3', input: ['a', 'b'] });
    expect(lastReceived()).toMatchObject({ modelId: 'cohere.embed-multilingual-v3', operation: 'invoke' });
    const error = (await any.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toBe("400 model 'text-embedding-3-small' is not served by this route (embeddings on Bedrock map to amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3, cohere.embed-v4:0 (or their cross-region profiles))");
    expect(error.param).toBe('model');
  });

  it('a model the route is not pinned to is refused; a chat path on an embeddings route is a 404', async () => {
    const error = (await titan.embeddings.create({ model: COHERE, input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const chat = (await titan.chat.completions.create({ model: TITAN, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(chat).toBeInstanceOf(OpenAI.NotFoundError);
    expect(chat.message).toContain('/v1/embeddings');
  });
});
