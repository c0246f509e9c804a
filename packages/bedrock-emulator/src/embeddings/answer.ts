// InvokeModel on an embeddings model (Titan Text Embeddings v2, Cohere Embed v3 / v4): validate like
// Bedrock, pick the scenario (queue, a `[scenario:NAME]` marker in any text, default), answer with
// deterministic vectors in the model's own shape and its token count in Bedrock's header.
import { randomUUID } from 'node:crypto';
import type { BedrockError } from '../errors.js';
import { ACCESS_DENIED, INVALID_INPUT, THROTTLED, UNAVAILABLE, sendError, validationError } from '../errors.js';
import { estimateTokens } from '../messages.js';
import type { Scenario } from '../scenarios.js';
import type { AnyResponse } from '../transport.js';
import { end, writeHead } from '../transport.js';
import { COHERE_V3_DIMENSIONS, type EmbeddingFamily } from './models.js';
import { validateEmbeddingsBody } from './validate.js';
import { embeddingVector } from './vectors.js';

export interface EmbeddingsCall {
  res: AnyResponse;
  requestId: string;
  modelId: string;
  family: EmbeddingFamily;
  /** The parsed body; undefined when it was not JSON. */
  json: unknown;
  startedAt: number;
  /** The scenario: queued first, then the marker found in the texts (undefined: none), then the default. */
  pick(marker: string | undefined): Scenario | BedrockError;
  /** `throttle_once`: whether this exact body was throttled before (and remember it now when `scenario` says so). */
  throttledBefore(scenario: Scenario): boolean;
  chose(name: string): void;
}

type Json = Record<string, unknown>;
const MARKER = /\[scenario:([A-Za-z0-9_-]+)\]/;

export async function answerEmbeddings(call: EmbeddingsCall): Promise<void> {
  const { res, requestId, family } = call;
  const problem = validateEmbeddingsBody(call.json, family);
  if (problem) return sendError(res, requestId, validationError(problem));
  const request = call.json as Json;
  const texts = family === 'titan-v2' ? [request.inputText as string] : (request.texts as string[]);
  const scenario = call.pick(texts.map((text) => MARKER.exec(text)?.[1]).find((name) => name !== undefined));
  if (!('name' in scenario)) return sendError(res, requestId, scenario);
  call.chose(scenario.name);
  const failure = scriptedFailure(scenario, call.throttledBefore(scenario));
  if (failure === 'hang') return; // close() tears the connection down
  if (failure) return sendError(res, requestId, failure);
  if (scenario.name === 'slow') await new Promise((r) => setTimeout(r, scenario.delayMs ?? 200));

  const inputTokens = texts.reduce((sum, text) => sum + estimateTokens(Buffer.byteLength(text)), 0);
  const answer = family === 'titan-v2' ? titanAnswer(call.modelId, request, inputTokens) : cohereAnswer(call.modelId, request, family);
  const body = JSON.stringify(answer);
  writeHead(res, 200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-bedrock-invocation-latency': Date.now() - call.startedAt,
    'x-amzn-bedrock-input-token-count': inputTokens,
  });
  end(res, body);
}

/** The scenarios that fail an embeddings call; the others answer normally. */
function scriptedFailure(scenario: Scenario, throttledBefore: boolean): BedrockError | 'hang' | undefined {
  const wait = (error: BedrockError) => (scenario.retryAfter === undefined ? error : { ...error, retryAfter: scenario.retryAfter });
  switch (scenario.name) {
    case 'throttle': return wait(THROTTLED);
    case 'throttle_once': return throttledBefore ? undefined : wait(THROTTLED);
    case 'overload': return wait(UNAVAILABLE);
    case 'validation': return INVALID_INPUT;
    case 'access_denied': return ACCESS_DENIED;
    case 'hang': return 'hang';
    default: return undefined;
  }
}

/** Titan v2: one vector; `embeddingsByType` always has `float`, and `binary` when asked. */
function titanAnswer(modelId: string, request: Json, inputTokens: number): Json {
  const dims = (request.dimensions as number | undefined) ?? 1024;
  const vector = embeddingVector(modelId, request.inputText as string, dims, request.normalize !== false);
  const types = (request.embeddingTypes as string[] | undefined) ?? ['float'];
  const byType: Json = { float: vector };
  if (types.includes('binary')) byType.binary = vector.map((x) => (x > 0 ? 1 : 0));
  return { embedding: vector, embeddingsByType: byType, inputTextTokenCount: inputTokens };
}

/**
 * Cohere: v3 without `embedding_types` answers `embeddings` as a list of float vectors
 * (`embeddings_floats`); with it, and always for v4, an object keyed by type (`embeddings_by_type`).
 */
function cohereAnswer(modelId: string, request: Json, family: EmbeddingFamily): Json {
  const texts = request.texts as string[];
  const dims = family === 'cohere-v3' ? COHERE_V3_DIMENSIONS : ((request.output_dimension as number | undefined) ?? 1536);
  const vectors = texts.map((text) => embeddingVector(modelId, `${String(request.input_type)}\n${text}`, dims, true));
  const types = request.embedding_types as string[] | undefined;
  const base = { id: randomUUID(), texts };
  if (family === 'cohere-v3' && types === undefined) return { ...base, embeddings: vectors, response_type: 'embeddings_floats' };
  const byType: Json = {};
  for (const type of types ?? ['float']) byType[type] = vectors.map((vector) => asType(vector, type));
  return { ...base, embeddings: byType, response_type: 'embeddings_by_type' };
}

function asType(vector: number[], type: string): number[] {
  switch (type) {
    case 'int8': return vector.map((x) => Math.max(-128, Math.min(127, Math.round(x * 127))));
    case 'uint8': return vector.map((x) => Math.max(0, Math.min(255, Math.round((x + 1) * 127.5))));
    case 'binary': return packBits(vector).map((byte) => byte - 128);
    case 'ubinary': return packBits(vector);
    default: return vector;
  }
}

/** One bit per dimension (positive = 1), eight to a byte, most significant first. */
function packBits(vector: number[]): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < vector.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = (byte << 1) | ((vector[i + j] ?? 0) > 0 ? 1 : 0);
    bytes.push(byte);
  }
  return bytes;
}
