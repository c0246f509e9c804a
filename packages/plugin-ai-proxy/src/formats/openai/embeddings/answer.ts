/**
 * OpenAI's embeddings answer: `{"object":"list","data":[{"object":"embedding","index","embedding"}],
 * "model","usage":{"prompt_tokens","total_tokens"}}`. With `encoding_format: base64` each embedding is the
 * base64 of its float32 values, little-endian, as OpenAI sends it (the OpenAI SDKs ask for base64 by
 * default and decode it themselves).
 */
import type { EncodingFormat } from './body.js';

export function embeddingsJson(vectors: readonly (readonly number[])[], format: EncodingFormat, model: string, promptTokens: number): string {
  const data = vectors.map((vector, index) => ({ object: 'embedding', index, embedding: format === 'base64' ? base64Of(vector) : vector }));
  return JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
}

function base64Of(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}
