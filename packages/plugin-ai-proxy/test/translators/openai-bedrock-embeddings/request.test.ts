/** OpenAI embeddings bodies → Titan / Cohere InvokeModel bodies, and what is refused before any call. */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { parseEmbeddingsBody } from '../../../src/formats/openai/embeddings/body.js';
import { toEmbeddingsBody } from '../../../src/translators/openai-bedrock-embeddings/request.js';
import { embeddingFamily } from '../../../src/translators/openai-bedrock-embeddings/models.js';
import { validate } from '../../../src/config/validate.js';
import { aiProxyConfig } from '../../support/config.js';
import type { ModelOptions } from '../../../src/config/types.js';

const body = (json: unknown) => parseEmbeddingsBody(Buffer.from(JSON.stringify(json)));
const mapped = (json: unknown, model: string, options?: ModelOptions) => JSON.parse(toEmbeddingsBody(body(json), model, options).body.toString('utf8'));

function refusal(fn: () => unknown): { status: number; message: string; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return { status: error.status, message: error.message, param: error.param };
    throw error;
  }
  throw new Error('not refused');
}

describe('the OpenAI embeddings body', () => {
  it('reads a string or an array of strings, the encoding and dimensions', () => {
    expect(body({ input: 'a', model: 'm' })).toMatchObject({ inputs: ['a'], model: 'm', encodingFormat: 'float', dimensions: undefined, stream: false });
    expect(body({ input: ['a', 'b'], encoding_format: 'base64', dimensions: 256, user: 'u' })).toMatchObject({ inputs: ['a', 'b'], encodingFormat: 'base64', dimensions: 256 });
  });

  it.each([
    [{ input: [1, 2] }, 'input', 'token arrays are not supported'],
    [{ input: [[1], [2]] }, 'input', 'token arrays are not supported'],
    [{}, 'input', 'required'],
    [{ input: [] }, 'input', 'non-empty array'],
    [{ input: '' }, 'input', 'non-empty string'],
    [{ input: ['a', 3] }, 'input[1]', 'expected a string'],
    [{ input: 'a', encoding_format: 'int8' }, 'encoding_format', "'float' or 'base64'"],
    [{ input: 'a', dimensions: 0 }, 'dimensions', 'positive integer'],
    [{ input: 'a', model: 3 }, 'model', 'expected a string'],
  ])('refuses %j naming %s', (json, param, words) => {
    const error = refusal(() => body(json));
    expect(error).toMatchObject({ status: 400, param });
    expect(error.message).toContain(words);
  });

  it('takes token ids only when the pair passes them on (to OpenAI), counting them', () => {
    expect(parseEmbeddingsBody(Buffer.from('{"input":[[1,2],[3]]}'), { tokenIds: true })).toMatchObject({ inputs: [], tokenIds: 3 });
    expect(parseEmbeddingsBody(Buffer.from('{"input":[7,8,9]}'), { tokenIds: true }).tokenIds).toBe(3);
    expect(refusal(() => parseEmbeddingsBody(Buffer.from('{"input":[1.5,2]}'), { tokenIds: true })).param).toBe('input');
  });

  it('refuses a body that is not a JSON object', () => {
    for (const text of ['[]', 'nope', '"x"']) expect(refusal(() => parseEmbeddingsBody(Buffer.from(text))).status).toBe(400);
    expect(refusal(() => parseEmbeddingsBody(Buffer.from([0x7b, 0xff, 0x7d]))).status).toBe(400);
  });
});

describe('OpenAI embeddings → Bedrock bodies', () => {
  it('Titan v2: inputText, dimensions from the request or embeddings_dimensions, Kong\'s embeddings_normalize', () => {
    expect(mapped({ input: 'x' }, 'amazon.titan-embed-text-v2:0')).toEqual({ inputText: 'x', normalize: false, embeddingTypes: ['float'] });
    expect(mapped({ input: ['x'], dimensions: 512 }, 'amazon.titan-embed-text-v2:0', { bedrock: { embeddings_normalize: true } })).toEqual({ inputText: 'x', dimensions: 512, normalize: true, embeddingTypes: ['float'] });
    expect(mapped({ input: 'x' }, 'amazon.titan-embed-text-v2:0', { embeddings_dimensions: 256 })).toMatchObject({ dimensions: 256 });
    // `user` has nowhere to go on Bedrock.
    expect(mapped({ input: 'x', user: 'u-1' }, 'amazon.titan-embed-text-v2:0')).not.toHaveProperty('user');
  });

  it('Titan v2: refuses several texts, sizes it does not make, and Cohere-only members', () => {
    expect(refusal(() => mapped({ input: ['a', 'b'] }, 'amazon.titan-embed-text-v2:0'))).toMatchObject({ param: 'input', message: "invalid 'input': amazon.titan-embed-text-v2:0 embeds one text per call: send one input per request (Cohere Embed on Bedrock takes up to 96)" });
    expect(refusal(() => mapped({ input: 'a', dimensions: 1536 }, 'amazon.titan-embed-text-v2:0'))).toMatchObject({ param: 'dimensions', message: "invalid 'dimensions': amazon.titan-embed-text-v2:0 makes 256, 512, 1024 dimensions" });
    expect(refusal(() => mapped({ input: 'a', input_type: 'search_query' }, 'amazon.titan-embed-text-v2:0'))).toMatchObject({ param: 'input_type', message: 'Unrecognized request argument supplied: input_type' });
  });

  it('Cohere v3: texts, input_type (request, then config, then search_document), truncate passed on', () => {
    expect(mapped({ input: ['a', 'b'] }, 'cohere.embed-english-v3')).toEqual({ texts: ['a', 'b'], input_type: 'search_document', embedding_types: ['float'] });
    expect(mapped({ input: 'a' }, 'cohere.embed-multilingual-v3', { bedrock: { embeddings_input_type: 'clustering' } })).toMatchObject({ input_type: 'clustering' });
    expect(mapped({ input: 'a', input_type: 'search_query', truncate: 'END' }, 'cohere.embed-english-v3', { bedrock: { embeddings_input_type: 'clustering' } })).toMatchObject({ input_type: 'search_query', truncate: 'END' });
    // v3 makes 1024 dimensions and takes no size: asking for 1024 is fine and nothing is sent.
    expect(mapped({ input: 'a', dimensions: 1024 }, 'cohere.embed-english-v3')).not.toHaveProperty('output_dimension');
    expect(refusal(() => mapped({ input: 'a', dimensions: 512 }, 'cohere.embed-english-v3')).param).toBe('dimensions');
    expect(refusal(() => mapped({ input: 'a', truncate: 'LEFT' }, 'cohere.embed-english-v3')).message).toBe("invalid 'truncate': expected one of NONE, START, END");
    expect(refusal(() => mapped({ input: Array.from({ length: 97 }, () => 'x') }, 'cohere.embed-english-v3')).message).toContain('at most 96 inputs');
  });

  it('Cohere v4 (and its profiles): output_dimension from dimensions', () => {
    expect(mapped({ input: 'a', dimensions: 1536 }, 'us.cohere.embed-v4:0')).toEqual({ texts: ['a'], input_type: 'search_document', embedding_types: ['float'], output_dimension: 1536 });
    expect(refusal(() => mapped({ input: 'a', truncate: 'END' }, 'cohere.embed-v4:0')).param).toBe('truncate');
  });

  it('refuses a model that is no embeddings model gw maps, naming the ones it does', () => {
    const error = refusal(() => mapped({ input: 'a' }, 'us.anthropic.claude-haiku-4-5-20251001-v1:0'));
    expect(error).toMatchObject({ status: 400, param: 'model' });
    expect(error.message).toContain('amazon.titan-embed-text-v2:0, cohere.embed-english-v3');
  });

  it('knows the families by id, profile and foundation-model ARN', () => {
    expect(embeddingFamily('arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0')).toBe('titan-v2');
    expect(embeddingFamily('eu.cohere.embed-v4:0')).toBe('cohere-v4');
    expect(embeddingFamily('amazon.titan-embed-text-v1')).toBeUndefined();
    expect(embeddingFamily('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc')).toBeUndefined();
  });
});

describe('config of an embeddings route', () => {
  const embeddings = (model: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    validate(aiProxyConfig({ llm_format: 'openai', route_type: 'llm/v1/embeddings', genai_category: 'text/embeddings', model: { provider: 'bedrock', ...model }, ...extra }));

  it('accepts openai → bedrock embeddings with Kong\'s embeddings options, unwarned', () => {
    expect(embeddings({ name: 'amazon.titan-embed-text-v2:0', options: { embeddings_dimensions: 512, bedrock: { embeddings_normalize: true, aws_region: 'us-east-1' } } })).toEqual([]);
    expect(embeddings({ name: 'cohere.embed-english-v3', options: { bedrock: { embeddings_input_type: 'search_query' } } })).toEqual([]);
    expect(embeddings({})).toEqual([]);
  });

  it('refuses a pinned model it cannot map and a size the model does not make; warns about generation options', () => {
    expect(embeddings({ name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' })).toEqual([
      { path: 'model.name', message: expect.stringContaining("'us.anthropic.claude-haiku-4-5-20251001-v1:0' is not an embeddings model gw maps on Bedrock") },
    ]);
    expect(embeddings({ name: 'amazon.titan-embed-text-v2:0', options: { embeddings_dimensions: 1536 } })).toEqual([
      { path: 'model.options.embeddings_dimensions', message: 'amazon.titan-embed-text-v2:0 makes 256, 512, 1024 dimensions' },
    ]);
    expect(embeddings({ name: 'amazon.titan-embed-text-v2:0', options: { max_tokens: 512, temperature: 1 } })).toEqual([
      { path: 'model.options.max_tokens', severity: 'warning', message: 'is not used by embeddings route types (an embedding has no generated output)' },
      { path: 'model.options.temperature', severity: 'warning', message: 'is not used by embeddings route types (an embedding has no generated output)' },
    ]);
  });

  it('warns that inference_profile (catalogue ids) is not used', () => {
    expect(embeddings({ options: { bedrock: { inference_profile: 'global' } } })).toEqual([
      { path: 'model.options.bedrock.inference_profile', severity: 'warning', message: "is not used by embeddings route types (gw's model catalogue has no embeddings models)" },
    ]);
  });

  it('refuses embeddings for other formats naming the route types their pair serves', () => {
    expect(validate(aiProxyConfig({ llm_format: 'anthropic', route_type: 'llm/v1/embeddings', model: { provider: 'bedrock' } }))).toEqual([
      { path: 'route_type', message: "route_type 'llm/v1/embeddings' is not supported yet by gw for llm_format 'anthropic' with provider 'bedrock' (supported: llm/v1/chat)" },
    ]);
    expect(embeddings({}, { genai_category: 'image/generation' })).toEqual([
      { path: 'genai_category', message: "genai_category 'image/generation' is not supported yet by gw (supported: text/embeddings, text/generation)" },
    ]);
  });
});
