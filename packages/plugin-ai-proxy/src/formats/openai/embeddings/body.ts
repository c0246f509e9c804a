/**
 * An OpenAI embeddings request (`POST …/embeddings`): `input` (a string or an array of strings), `model`,
 * `encoding_format` (float | base64), `dimensions`, `user`. The body is small next to a chat, so it is
 * parsed whole. Token-id inputs (an array of integers, or of such arrays) are refused unless the pair
 * passes them to OpenAI (`tokenIds`): no other backend takes OpenAI's token ids.
 */
import { GatewayError } from '@gw/plugin-api';
import { byteText } from '../../../text/byte-text.js';
import { invalidField } from '../body.js';

export type EncodingFormat = 'float' | 'base64';

export interface EmbeddingsBody {
  /** The client's bytes (a passthrough sends them unchanged) and their parse. */
  bytes: Buffer;
  json: Readonly<Record<string, unknown>>;
  model: string | undefined;
  /** Embeddings never stream. */
  stream: false;
  /** The texts to embed, in order; `data[i].index` answers `inputs[i]`. Empty when the input is token ids. */
  inputs: string[];
  /** Token ids: how many there are in all (the input's exact token count), when the input is token ids. */
  tokenIds: number | undefined;
  encodingFormat: EncodingFormat;
  /** The client's `dimensions`, when it set one. */
  dimensions: number | undefined;
  /** Members beyond OpenAI's own, by name (a pair says which it takes, e.g. Cohere's `input_type`). */
  extra: ReadonlyMap<string, unknown>;
}

const OWN = new Set(['input', 'model', 'encoding_format', 'dimensions', 'user']);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const TOKEN_IDS = 'token arrays are not supported by this route: send the text as a string or an array of strings';

export function parseEmbeddingsBody(bytes: Uint8Array, accept: { tokenIds?: boolean } = {}): EmbeddingsBody {
  const text = byteText(bytes);
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text.bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (!isObject(json)) throw new GatewayError('GW_ERR_AI_INVALID_BODY', { message: 'request body must be a JSON object with an input' });
  const model = json.model;
  if (model !== undefined && model !== null && typeof model !== 'string') throw invalidField('model', 'expected a string');
  const format = json.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalidField('encoding_format', "expected 'float' or 'base64'");
  const dimensions = json.dimensions ?? undefined;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) > 0)) throw invalidField('dimensions', 'expected a positive integer');
  if (json.user !== undefined && json.user !== null && typeof json.user !== 'string') throw invalidField('user', 'expected a string');
  const extra = new Map(Object.entries(json).filter(([name]) => !OWN.has(name)));
  const tokenIds = tokenIdCount(json.input);
  if (tokenIds !== undefined && accept.tokenIds !== true) throw invalidField('input', TOKEN_IDS);
  return {
    bytes: text!.bytes,
    json,
    model: typeof model === 'string' ? model : undefined,
    stream: false,
    inputs: tokenIds === undefined ? inputsOf(json.input) : [],
    tokenIds,
    encodingFormat: format,
    dimensions: dimensions as number | undefined,
    extra,
  };
}

const isTokenList = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((t) => Number.isInteger(t) && (t as number) >= 0);

/** The number of token ids when `input` is one list of them or a list of such lists; undefined otherwise. */
function tokenIdCount(input: unknown): number | undefined {
  if (isTokenList(input)) return input.length;
  if (Array.isArray(input) && input.length > 0 && input.every(isTokenList)) return input.reduce((sum: number, list: number[]) => sum + list.length, 0);
  return undefined;
}

function inputsOf(input: unknown): string[] {
  if (input === undefined || input === null) throw invalidField('input', 'required: a string or an array of strings');
  if (typeof input === 'string') {
    if (input === '') throw invalidField('input', 'expected a non-empty string');
    return [input];
  }
  if (!Array.isArray(input)) throw invalidField('input', 'expected a string or an array of strings');
  if (input.length === 0) throw invalidField('input', 'expected a non-empty array');
  if (input.every((item) => typeof item === 'number' || Array.isArray(item))) throw invalidField('input', 'expected an array of strings, or of non-negative integer token ids');
  input.forEach((item, i) => {
    if (typeof item !== 'string') throw invalidField(`input[${i}]`, 'expected a string');
    if (item === '') throw invalidField(`input[${i}]`, 'expected a non-empty string');
  });
  return input as string[];
}
