// The real AWS SDK's InvokeModel against the emulator's embeddings models: answers parse in each model's
// shape, bodies Bedrock would refuse are refused with its typed exception, scripted failures are typed.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { DEFAULT_CREDENTIALS, startBedrockEmulator } from '../src/index.js';
import type { Emulator } from '../src/index.js';
import { embeddingVector } from '../src/embeddings/vectors.js';

const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'));
const { NodeHttpHandler } = sdkRequire('@smithy/node-http-handler') as { NodeHttpHandler: new () => never };

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE_V3 = 'cohere.embed-english-v3';
const COHERE_V4 = 'us.cohere.embed-v4:0';

let emulator: Emulator;
let client: BedrockRuntimeClient;
beforeAll(async () => {
  emulator = await startBedrockEmulator();
  client = new BedrockRuntimeClient({ endpoint: emulator.url, region: 'us-east-1', credentials: DEFAULT_CREDENTIALS[0], requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
});
afterAll(() => emulator.close());

async function invoke(modelId: string, body: unknown): Promise<any> {
  const out = await client.send(new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) }));
  return JSON.parse(Buffer.from(out.body).toString('utf8'));
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('Titan Text Embeddings v2', () => {
  it('answers one vector of the asked size, its token count and embeddingsByType', async () => {
    const answer = await invoke(TITAN, { inputText: 'hello world', dimensions: 256, normalize: true, embeddingTypes: ['float', 'binary'] });
    expect(answer.embedding).toHaveLength(256);
    expect(norm(answer.embedding)).toBeCloseTo(1, 5);
    expect(answer.embeddingsByType.float).toEqual(answer.embedding);
    expect(answer.embeddingsByType.binary).toHaveLength(256);
    expect(answer.inputTextTokenCount).toBe(3);
    expect(emulator.received.at(-1)).toMatchObject({ operation: 'invoke', modelId: TITAN, signatureValid: true });
  });

  it('is deterministic per text, 1024 dimensions and normalized by default', async () => {
    const a = await invoke(TITAN, { inputText: 'same' });
    const b = await invoke(TITAN, { inputText: 'same' });
    const c = await invoke(TITAN, { inputText: 'other' });
    expect(a.embedding).toHaveLength(1024);
    expect(a.embedding).toEqual(b.embedding);
    expect(a.embedding).not.toEqual(c.embedding);
    expect(a.embedding).toEqual(embeddingVector(TITAN, 'same', 1024, true));
    const raw = await invoke(TITAN, { inputText: 'same', normalize: false });
    expect(norm(raw.embedding)).not.toBeCloseTo(1, 2);
  });

  it.each([
    [{ inputText: 'x', texts: ['x'] }, 'Malformed input request: #: extraneous key [texts] is not permitted, please reformat your input and try again.'],
    [{ dimensions: 256 }, 'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.'],
    [{ inputText: ['a', 'b'] }, 'Malformed input request: #/inputText: expected type: String, found: JSONArray, please reformat your input and try again.'],
    [{ inputText: 'x', dimensions: 300 }, 'Malformed input request: #/dimensions: 300 is not a valid enum value, please reformat your input and try again.'],
    [{ inputText: '' }, 'Malformed input request: #/inputText: expected minLength: 1, actual: 0, please reformat your input and try again.'],
  ])('refuses %j as Bedrock does', async (body, message) => {
    const error = await invoke(TITAN, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toBe(message);
  });
});

describe('Cohere Embed', () => {
  it('v3 answers a list of 1024-float vectors without embedding_types, by type with them', async () => {
    const plain = await invoke(COHERE_V3, { texts: ['one', 'two'], input_type: 'search_document' });
    expect(plain.response_type).toBe('embeddings_floats');
    expect(plain.embeddings).toHaveLength(2);
    expect(plain.embeddings[0]).toHaveLength(1024);
    expect(plain.embeddings[0]).not.toEqual(plain.embeddings[1]);
    expect(plain.texts).toEqual(['one', 'two']);
    expect(typeof plain.id).toBe('string');
    const typed = await invoke(COHERE_V3, { texts: ['one'], input_type: 'search_document', embedding_types: ['float', 'int8'] });
    expect(typed.response_type).toBe('embeddings_by_type');
    expect(typed.embeddings.float[0]).toEqual(plain.embeddings[0]);
    expect(typed.embeddings.int8[0]).toHaveLength(1024);
    // input_type is part of what is embedded.
    const query = await invoke(COHERE_V3, { texts: ['one'], input_type: 'search_query' });
    expect(query.embeddings[0]).not.toEqual(plain.embeddings[0]);
  });

  it('v4 (a cross-region profile) answers by type with output_dimension', async () => {
    const answer = await invoke(COHERE_V4, { texts: ['a', 'b', 'c'], input_type: 'classification', output_dimension: 512, embedding_types: ['float'] });
    expect(answer.response_type).toBe('embeddings_by_type');
    expect(answer.embeddings.float).toHaveLength(3);
    expect(answer.embeddings.float[2]).toHaveLength(512);
  });

  it.each([
    [COHERE_V3, { texts: ['x'] }, 'Malformed input request: #: required key [input_type] not found, please reformat your input and try again.'],
    [COHERE_V3, { texts: Array.from({ length: 97 }, () => 'x'), input_type: 'search_query' }, 'Malformed input request: #/texts: expected maximum item count: 96, found: 97, please reformat your input and try again.'],
    [COHERE_V3, { texts: ['x'], input_type: 'search_query', output_dimension: 512 }, 'Malformed input request: #: extraneous key [output_dimension] is not permitted, please reformat your input and try again.'],
    [COHERE_V4, { texts: ['x'], input_type: 'search_query', output_dimension: 100 }, 'Malformed input request: #/output_dimension: 100 is not a valid enum value, please reformat your input and try again.'],
    [COHERE_V3, { texts: ['x'], input_type: 'search_query', embedding_types: ['double'] }, 'Malformed input request: #/embedding_types/0: "double" is not a valid enum value, please reformat your input and try again.'],
  ])('%s refuses %j as Bedrock does', async (model, body, message) => {
    const error = await invoke(model, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toBe(message);
  });
});

describe('scripted failures and streaming', () => {
  it('a marker in a text throttles, typed as the SDK knows it', async () => {
    const error = await invoke(COHERE_V3, { texts: ['fine', 'x [scenario:throttle]'], input_type: 'search_query' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    emulator.queue('throttle');
    expect(await invoke(TITAN, { inputText: 'queued' }).catch((e: unknown) => e)).toBeInstanceOf(ThrottlingException);
  });

  it('embeddings models do not stream', async () => {
    const error = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: TITAN, contentType: 'application/json', body: JSON.stringify({ inputText: 'x' }) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
  });
});
