/**
 * A Bedrock embeddings answer → OpenAI's list. Titan answers `{embedding, inputTextTokenCount}`; Cohere
 * `{id, embeddings: {float: [[…]]}}` (asked by type) or `{embeddings: [[…]]}`, its token count only in the
 * `x-amzn-bedrock-input-token-count` header (read by the translator's head, index.ts). The answer is read
 * whole (up to a cap) and reshaped; nothing reaches the client before that, so an unreadable answer is
 * still an HTTP error. JSON.parse is the cheap way here: splicing the vectors' text out with the member
 * scanner measured no faster (96 × 1024 floats, 1.2 MB: 11.8 ms against 13 ms CPU for parse and rebuild),
 * and base64, the OpenAI SDKs' default, needs the numbers anyway.
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import type { EncodingFormat } from '../../formats/openai/embeddings/body.js';
import { embeddingsJson } from '../../formats/openai/embeddings/answer.js';
import { count } from '../../usage.js';
import { wholeAnswer } from '../../phases/whole-answer.js';
import { observe } from '../../phases/observations.js';
import type { EmbeddingFamily } from './models.js';

/** 96 vectors of 1536 floats as JSON are ~3 MB; far above that is no real answer. */
const ANSWER_CAP = 64 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isVector = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'number');

export interface EmbeddingsAnswerInput {
  family: EmbeddingFamily;
  /** How many vectors the answer must hold (the request's inputs). */
  inputs: number;
  encodingFormat: EncodingFormat;
}

export function bedrockToEmbeddings(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, asked: EmbeddingsAnswerInput): Transformer<Uint8Array, Uint8Array> {
  return wholeAnswer(ctx, response, exchange, (text) => embeddingsAnswer(text, exchange, asked), ANSWER_CAP);
}

/** OpenAI's list from Bedrock's answer (recording usage and id on the exchange), or the error it is. */
function embeddingsAnswer(text: string, exchange: AiExchange, asked: EmbeddingsAnswerInput): string | AiError {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  const vectors = isObject(answer) ? vectorsOf(answer, asked.family) : undefined;
  if (vectors === undefined || vectors.length !== asked.inputs) {
    return { status: 502, kind: 'server', message: `upstream answer is not an embeddings response with ${asked.inputs} vector(s)` };
  }
  const seen = observe(exchange);
  // Titan's own count wins over the header's (both are the same number on Bedrock).
  const counted = asked.family === 'titan-v2' ? count((answer as Json).inputTextTokenCount) : undefined;
  if (counted !== undefined) {
    exchange.usage = { ...exchange.usage, input: counted };
    seen.promptReported = true;
  }
  seen.finalOutputReported = true;
  const id = (answer as Json).id;
  if (typeof id === 'string') exchange.responseId = id;
  return embeddingsJson(vectors, asked.encodingFormat, exchange.requestModel, exchange.usage.input);
}

/** The float vectors, in input order, whichever shape the family answered in. */
function vectorsOf(answer: Json, family: EmbeddingFamily): number[][] | undefined {
  if (family === 'titan-v2') {
    const vector = answer.embedding ?? (isObject(answer.embeddingsByType) ? answer.embeddingsByType.float : undefined);
    return isVector(vector) ? [vector] : undefined;
  }
  const list = isObject(answer.embeddings) ? answer.embeddings.float : answer.embeddings;
  return Array.isArray(list) && list.every(isVector) ? list : undefined;
}
