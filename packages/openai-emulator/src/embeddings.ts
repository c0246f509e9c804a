// Embeddings answers: a deterministic unit vector per input (from a hash of it), as floats or as the
// base64 of little-endian float32s (`encoding_format: base64`, what the openai SDK asks for by default).
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

const DIMENSIONS: Readonly<Record<string, number>> = { 'text-embedding-3-large': 3072 };
const DEFAULT_DIMENSIONS = 1536;

export function vectorFor(input: unknown, dimensions: number): Float32Array {
  const seed = createHash('sha256').update(JSON.stringify(input)).digest();
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = (seed[i % seed.length]! ^ (i * 31)) / 255 - 0.5;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) vector[i]! *= scale;
  return vector;
}

export function embeddingsJson(body: Json): string {
  const model = String(body.model);
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : DIMENSIONS[model] ?? DEFAULT_DIMENSIONS;
  const raw = body.input;
  // A token array (numbers) is one input; an array of strings or of token arrays is one each.
  const inputs = typeof raw === 'string' || (Array.isArray(raw) && typeof raw[0] === 'number') ? [raw] : (raw as unknown[]);
  let promptTokens = 0;
  const data = inputs.map((input, index) => {
    promptTokens += Array.isArray(input) ? input.length : Math.max(1, Math.ceil(Buffer.byteLength(String(input)) / 4));
    const vector = vectorFor(input, dimensions);
    const embedding = body.encoding_format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  return JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
}
