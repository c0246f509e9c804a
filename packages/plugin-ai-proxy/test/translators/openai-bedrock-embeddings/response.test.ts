/**
 * Bedrock embeddings answers (each family's shape) through the pair's response side, read back by the
 * real `openai` SDK (a client whose fetch returns gw's bytes).
 */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { openaiToBedrockEmbeddings } from '../../../src/translators/openai-bedrock-embeddings/index.js';
import type { EmbeddingsPlan } from '../../../src/translators/openai-bedrock-embeddings/plan.js';
import type { EmbeddingsAnswerInput } from '../../../src/translators/openai-bedrock-embeddings/response.js';
import { fakeCtx, head, makeExchange, run } from '../../support/response-harness.js';

const TITAN = 'amazon.titan-embed-text-v2:0';

async function answer(asked: EmbeddingsAnswerInput, status: number, json: unknown, headers: Record<string, string> = {}) {
  const ctx = fakeCtx();
  const exchange = makeExchange({ translator: openaiToBedrockEmbeddings, format: openaiToBedrockEmbeddings.format, kind: 'embeddings', mode: 'oneshot', requestModel: TITAN, clientModel: TITAN });
  const response = head(status, { 'content-type': 'application/json', ...headers });
  const plan = { asked } as EmbeddingsPlan;
  aiResponseHeaders({ ctx, response, exchange, plan });
  const text = await run(aiResponseBody({ ctx, response, exchange, plan })!, [Buffer.from(typeof json === 'string' ? json : JSON.stringify(json))]);
  const flat = Object.fromEntries(Object.entries(response.headers).filter(([, v]) => typeof v === 'string') as [string, string][]);
  const client = new OpenAI({ apiKey: 'k', maxRetries: 0, fetch: async () => new Response(text, { status: response.status, headers: flat }) });
  return { exchange, response, text, client };
}

describe('Bedrock embeddings answers as OpenAI lists', () => {
  it("Titan: its vector and its own token count; the header's count is only a fallback", async () => {
    const { client, exchange, response } = await answer({ family: 'titan-v2', inputs: 1, encodingFormat: 'float' }, 200,
      { embedding: [0.5, -0.25], inputTextTokenCount: 7, embeddingsByType: { float: [0.5, -0.25] } }, { 'x-amzn-bedrock-input-token-count': '9' });
    const list = await client.embeddings.create({ model: TITAN, input: 'x', encoding_format: 'float' });
    expect(list).toEqual({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5, -0.25] }], model: TITAN, usage: { prompt_tokens: 7, total_tokens: 7 } });
    expect(exchange.usage.input).toBe(7);
    expect(Object.keys(response.headers).some((name) => name.startsWith('x-amzn-bedrock-'))).toBe(false);
  });

  it('Cohere v4 by type, base64 decoded by the SDK; the header count is the usage; the answer id is kept', async () => {
    const { client, exchange } = await answer({ family: 'cohere-v4', inputs: 2, encodingFormat: 'base64' }, 200,
      { id: 'emb-1', texts: ['a', 'b'], response_type: 'embeddings_by_type', embeddings: { float: [[0.5, 1], [-2, 0.125]] } }, { 'x-amzn-bedrock-input-token-count': '4' });
    const list = await client.embeddings.create({ model: TITAN, input: ['a', 'b'] });
    expect(list.data.map((d) => Array.from(d.embedding))).toEqual([[0.5, 1], [-2, 0.125]]);
    expect(list.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(exchange.responseId).toBe('emb-1');
  });

  it('Cohere v3 floats (a plain list of vectors)', async () => {
    const { client } = await answer({ family: 'cohere-v3', inputs: 1, encodingFormat: 'float' }, 200, { id: 'x', embeddings: [[1, 2, 3]], response_type: 'embeddings_floats' });
    expect((await client.embeddings.create({ model: TITAN, input: 'a', encoding_format: 'float' })).data[0]!.embedding).toEqual([1, 2, 3]);
  });

  it('an answer without the vectors asked for is a 502 the SDK retries, never a short list', async () => {
    for (const [asked, json] of [
      [{ family: 'cohere-v3', inputs: 2, encodingFormat: 'float' }, { embeddings: [[1, 2]] }],
      [{ family: 'titan-v2', inputs: 1, encodingFormat: 'float' }, { message: 'nope' }],
      [{ family: 'titan-v2', inputs: 1, encodingFormat: 'float' }, 'not json'],
    ] as const) {
      const { client, exchange } = await answer(asked, 200, json);
      const error = await client.embeddings.create({ model: TITAN, input: 'a' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect(exchange.error?.kind).toBe('server');
    }
  });

  it("Bedrock's errors in OpenAI's shape: a validation 400 keeps Bedrock's message", async () => {
    const { client, exchange } = await answer({ family: 'titan-v2', inputs: 1, encodingFormat: 'float' }, 400,
      { message: 'Malformed input request: #/inputText: expected maxLength: 50000, actual: 50001, please reformat your input and try again.' },
      { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
    const error = (await client.embeddings.create({ model: TITAN, input: 'a' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('expected maxLength: 50000');
    expect(exchange.usage.input).toBe(0);
  });
});
