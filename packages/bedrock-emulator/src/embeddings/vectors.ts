// Deterministic embeddings: the same model, text and size always give the same vector, different texts
// different ones, so a test can check that each input's vector came back at its index.
import { createHash } from 'node:crypto';

/** `dims` floats in [-1, 1) from SHA-256 of (model, text), scaled to unit length when `normalize`. */
export function embeddingVector(modelId: string, text: string, dims: number, normalize: boolean): number[] {
  const out: number[] = [];
  let block = 0;
  while (out.length < dims) {
    const digest = createHash('sha256').update(`${modelId}\n${block++}\n${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && out.length < dims; i += 4) out.push(digest.readUInt32LE(i) / 2 ** 31 - 1);
  }
  if (!normalize) return out.map(round);
  const norm = Math.sqrt(out.reduce((sum, x) => sum + x * x, 0)) || 1;
  return out.map((x) => round(x / norm));
}

/** Bedrock's JSON carries float32 values; keep ones a float32 holds exactly so base64 round-trips compare equal. */
function round(x: number): number {
  return Math.fround(x);
}
