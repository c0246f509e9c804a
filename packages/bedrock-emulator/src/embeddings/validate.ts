// Embeddings request bodies checked as Bedrock checks them (its JSON-schema messages, "Malformed input
// request: #/path: …, please reformat your input and try again."), so gw's mapping is held to Bedrock's rules.
import type { EmbeddingFamily } from './models.js';
import { COHERE_V4_DIMENSIONS, TITAN_DIMENSIONS } from './models.js';

type Json = Record<string, unknown>;

const malformed = (detail: string) => `Malformed input request: ${detail}, please reformat your input and try again.`;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const TITAN_KEYS = ['inputText', 'dimensions', 'normalize', 'embeddingTypes'];
const COHERE_V3_KEYS = ['texts', 'images', 'input_type', 'truncate', 'embedding_types'];
const COHERE_V4_KEYS = ['texts', 'images', 'inputs', 'input_type', 'truncate', 'embedding_types', 'output_dimension', 'max_tokens'];
const INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering', 'image'];
const COHERE_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary'];
/** Bedrock's documented limits: Titan v2 takes up to 50,000 characters, Cohere 96 texts per call. */
const TITAN_MAX_CHARS = 50_000;
const COHERE_MAX_TEXTS = 96;
const COHERE_V3_MAX_CHARS = 2048;

/** The problem Bedrock would report for this body, or undefined when it would accept it. */
export function validateEmbeddingsBody(json: unknown, family: EmbeddingFamily): string | undefined {
  if (!isObject(json)) return malformed('#: expected type: JSONObject');
  return family === 'titan-v2' ? validateTitan(json) : validateCohere(json, family);
}

function extraneous(json: Json, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(json).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : malformed(`#: extraneous key [${extra}] is not permitted`);
}

function validateTitan(json: Json): string | undefined {
  const extra = extraneous(json, TITAN_KEYS);
  if (extra) return extra;
  if (!('inputText' in json)) return malformed('#: required key [inputText] not found');
  if (typeof json.inputText !== 'string') return malformed(`#/inputText: expected type: String, found: ${typeName(json.inputText)}`);
  if (json.inputText.length < 1) return malformed('#/inputText: expected minLength: 1, actual: 0');
  if (json.inputText.length > TITAN_MAX_CHARS) return malformed(`#/inputText: expected maxLength: ${TITAN_MAX_CHARS}, actual: ${json.inputText.length}`);
  if ('dimensions' in json && !(TITAN_DIMENSIONS as readonly unknown[]).includes(json.dimensions)) {
    return malformed(`#/dimensions: ${JSON.stringify(json.dimensions)} is not a valid enum value`);
  }
  if ('normalize' in json && typeof json.normalize !== 'boolean') return malformed(`#/normalize: expected type: Boolean, found: ${typeName(json.normalize)}`);
  if ('embeddingTypes' in json) return enumList('embeddingTypes', json.embeddingTypes, ['float', 'binary']);
  return undefined;
}

function validateCohere(json: Json, family: EmbeddingFamily): string | undefined {
  const extra = extraneous(json, family === 'cohere-v4' ? COHERE_V4_KEYS : COHERE_V3_KEYS);
  if (extra) return extra;
  if (!('input_type' in json)) return malformed('#: required key [input_type] not found');
  if (!INPUT_TYPES.includes(json.input_type as string)) return malformed(`#/input_type: ${JSON.stringify(json.input_type)} is not a valid enum value`);
  if (!('texts' in json)) return malformed('#: required key [texts] not found');
  if (!Array.isArray(json.texts)) return malformed(`#/texts: expected type: JSONArray, found: ${typeName(json.texts)}`);
  if (json.texts.length > COHERE_MAX_TEXTS) return malformed(`#/texts: expected maximum item count: ${COHERE_MAX_TEXTS}, found: ${json.texts.length}`);
  for (const [i, text] of json.texts.entries()) {
    if (typeof text !== 'string') return malformed(`#/texts/${i}: expected type: String, found: ${typeName(text)}`);
    if (family === 'cohere-v3' && text.length > COHERE_V3_MAX_CHARS) return malformed(`#/texts/${i}: expected maxLength: ${COHERE_V3_MAX_CHARS}, actual: ${text.length}`);
  }
  if ('truncate' in json) {
    const allowed = family === 'cohere-v4' ? ['NONE', 'LEFT', 'RIGHT'] : ['NONE', 'START', 'END'];
    if (!allowed.includes(json.truncate as string)) return malformed(`#/truncate: ${JSON.stringify(json.truncate)} is not a valid enum value`);
  }
  if ('output_dimension' in json && !(COHERE_V4_DIMENSIONS as readonly unknown[]).includes(json.output_dimension)) {
    return malformed(`#/output_dimension: ${JSON.stringify(json.output_dimension)} is not a valid enum value`);
  }
  if ('embedding_types' in json) return enumList('embedding_types', json.embedding_types, COHERE_TYPES);
  return undefined;
}

function enumList(name: string, value: unknown, allowed: readonly string[]): string | undefined {
  if (!Array.isArray(value)) return malformed(`#/${name}: expected type: JSONArray, found: ${typeName(value)}`);
  if (value.length === 0) return malformed(`#/${name}: expected minimum item count: 1, found: 0`);
  const bad = value.findIndex((item) => !allowed.includes(item as string));
  return bad < 0 ? undefined : malformed(`#/${name}/${bad}: ${JSON.stringify(value[bad])} is not a valid enum value`);
}

function typeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'object') return 'JSONObject';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
  return typeof value === 'string' ? 'String' : 'Boolean';
}
