/**
 * An OpenAI embeddings request as one Bedrock InvokeModel body:
 * - Titan Text Embeddings v2: `{inputText, dimensions?, normalize, embeddingTypes:["float"]}`; one text per
 *   call, so an `input` array of more than one text is refused naming the limit (docs/decisions/0033).
 * - Cohere Embed v3 / v4: `{texts, input_type, embedding_types:["float"], truncate?, output_dimension? (v4)}`,
 *   up to 96 texts. `input_type` from the request's own `input_type` member, else
 *   `model.options.bedrock.embeddings_input_type`, else `search_document`.
 * `dimensions` from the request, else Kong's `model.options.embeddings_dimensions`; Titan's `normalize` is
 * Kong's `model.options.bedrock.embeddings_normalize`. `user` has no Bedrock counterpart and is dropped.
 */
import { GatewayError } from '@gw/plugin-api';
import type { ModelOptions } from '../../config/types.js';
import type { EmbeddingsBody } from '../../formats/openai/embeddings/body.js';
import { invalidField } from '../../formats/openai/body.js';
import { DEFAULT_INPUT_TYPE, DIMENSIONS, EMBEDDING_MODELS, INPUT_TYPES, MAX_INPUTS, embeddingFamily, type EmbeddingFamily } from './models.js';

/** Members beyond OpenAI's that a family takes from the client, and the values it accepts. */
const EXTRA: Readonly<Record<EmbeddingFamily, Readonly<Record<string, readonly string[]>>>> = {
  'titan-v2': {},
  'cohere-v3': { input_type: INPUT_TYPES, truncate: ['NONE', 'START', 'END'] },
  'cohere-v4': { input_type: INPUT_TYPES, truncate: ['NONE', 'LEFT', 'RIGHT'] },
};

export interface EmbeddingsRequest {
  family: EmbeddingFamily;
  body: Buffer;
}

export function toEmbeddingsBody(body: EmbeddingsBody, model: string, options: ModelOptions | undefined): EmbeddingsRequest {
  const family = embeddingFamily(model);
  if (family === undefined) {
    throw new GatewayError('GW_ERR_AI_MODEL_NOT_SERVED', { params: { model, why: ` (embeddings on Bedrock map to ${EMBEDDING_MODELS})`, served: '' }, param: 'model' });
  }
  const extra = extraMembers(body, family);
  const max = MAX_INPUTS[family];
  if (body.inputs.length > max) {
    const reason = family === 'titan-v2'
      ? `${model} embeds one text per call: send one input per request (Cohere Embed on Bedrock takes up to 96)`
      : `${model} takes at most ${max} inputs per request`;
    throw invalidField('input', reason);
  }
  const dimensions = body.dimensions ?? optionalInteger(options?.embeddings_dimensions);
  if (dimensions !== undefined && !DIMENSIONS[family].includes(dimensions)) {
    throw invalidField('dimensions', `${model} makes ${DIMENSIONS[family].join(', ')} dimensions`);
  }
  const json: Record<string, unknown> = family === 'titan-v2'
    ? titanBody(body.inputs[0]!, dimensions, options?.bedrock?.embeddings_normalize === true)
    : cohereBody(body.inputs, family, dimensions, extra, options);
  return { family, body: Buffer.from(JSON.stringify(json), 'utf8') };
}

function titanBody(text: string, dimensions: number | undefined, normalize: boolean): Record<string, unknown> {
  return { inputText: text, ...(dimensions === undefined ? {} : { dimensions }), normalize, embeddingTypes: ['float'] };
}

function cohereBody(texts: string[], family: EmbeddingFamily, dimensions: number | undefined, extra: Map<string, string>, options: ModelOptions | undefined): Record<string, unknown> {
  const configured = options?.bedrock?.embeddings_input_type;
  const json: Record<string, unknown> = {
    texts,
    input_type: extra.get('input_type') ?? (typeof configured === 'string' ? configured : DEFAULT_INPUT_TYPE),
    embedding_types: ['float'],
  };
  const truncate = extra.get('truncate');
  if (truncate !== undefined) json.truncate = truncate;
  if (family === 'cohere-v4' && dimensions !== undefined) json.output_dimension = dimensions;
  return json;
}

/** The members beyond OpenAI's that this family takes; any other is refused as OpenAI refuses unknown arguments. */
function extraMembers(body: EmbeddingsBody, family: EmbeddingFamily): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of body.extra) {
    const allowed = EXTRA[family][name];
    if (allowed === undefined) throw new GatewayError('GW_ERR_AI_UNKNOWN_FIELD', { params: { field: name }, param: name });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' || !allowed.includes(value)) throw invalidField(name, `expected one of ${allowed.join(', ')}`);
    out.set(name, value);
  }
  return out;
}

function optionalInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
