// Request checks as OpenAI's API makes them, with its messages: unknown fields, missing or mistyped
// parameters, roles, tool call / tool result pairing. Returns the error, or undefined for a good body.
import { invalid, unrecognized, type ApiError } from './errors.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Chat Completions' documented request fields. */
const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'n', 'parallel_tool_calls', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'prompt_cache_retention', 'reasoning_effort', 'response_format',
  'safety_identifier', 'seed', 'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature',
  'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity', 'web_search_options',
]);

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

/** A value in a message as OpenAI quotes it. */
const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const missing = (name: string) => invalid(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
const wrongType = (param: string, expected: string, value: unknown) =>
  invalid(`Invalid type for '${param}': expected ${expected}, but got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`} instead.`, param, 'invalid_type');
const range = (param: string, low: number, high: number, value: number) =>
  value < low
    ? invalid(`Invalid '${param}': decimal below minimum value. Expected a value >= ${low}, but got ${value} instead.`, param, 'decimal_below_min_value')
    : invalid(`Invalid '${param}': decimal above maximum value. Expected a value <= ${high}, but got ${value} instead.`, param, 'decimal_above_max_value');

export function validateChat(body: unknown): ApiError | undefined {
  if (!isObject(body)) return invalid('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)');
  for (const name of Object.keys(body)) if (!CHAT_FIELDS.has(name)) return unrecognized(name);
  if (body.model === undefined) return invalid('you must provide a model parameter');
  if (typeof body.model !== 'string') return wrongType('model', 'a string', body.model);
  if (body.messages === undefined) return missing('messages');
  if (!Array.isArray(body.messages)) return wrongType('messages', 'an array', body.messages);
  if (body.messages.length === 0) return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return wrongType('stream', 'a boolean', body.stream);
  if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  for (const [name, low, high] of [['temperature', 0, 2], ['top_p', 0, 1], ['frequency_penalty', -2, 2], ['presence_penalty', -2, 2]] as const) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') return wrongType(name, 'a decimal', value);
    if (value < low || value > high) return range(name, low, high, value);
  }
  for (const name of ['max_tokens', 'max_completion_tokens', 'n']) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value)) return wrongType(name, 'an integer', value);
    if ((value as number) < 1) return invalid(`Invalid '${name}': integer below minimum value. Expected a value >= 1, but got ${shown(value)} instead.`, name, 'integer_below_min_value');
  }
  return validateMessages(body.messages) ?? validateTools(body.tools);
}

function validateMessages(messages: unknown[]): ApiError | undefined {
  let pending: string[] = [];
  let pendingAt = -1;
  for (const [i, message] of messages.entries()) {
    const path = `messages[${i}]`;
    if (!isObject(message)) return wrongType(path, 'an object', message);
    const role = message.role;
    if (role === undefined) return missing(`${path}.role`);
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return invalid(`Invalid value: '${shown(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `${path}.role`, 'invalid_value');
    }
    if (pending.length > 0 && role !== 'tool') return unanswered(pending, pendingAt);
    if (role === 'tool') {
      if (typeof message.tool_call_id !== 'string') return missing(`${path}.tool_call_id`);
      if (!pending.includes(message.tool_call_id)) {
        return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `${path}.role`);
      }
      pending = pending.filter((id) => id !== message.tool_call_id);
    }
    if (role === 'user' && message.content === undefined) return missing(`${path}.content`);
    if (role === 'assistant' && Array.isArray(message.tool_calls)) {
      pending = message.tool_calls.map((call) => (isObject(call) ? String(call.id) : ''));
      pendingAt = i;
    }
  }
  return pending.length > 0 ? unanswered(pending, pendingAt) : undefined;
}

function unanswered(ids: string[], at: number): ApiError {
  return invalid(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${ids.join(', ')}`,
    `messages.[${at}].role`,
  );
}

function validateTools(tools: unknown): ApiError | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return wrongType('tools', 'an array', tools);
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return wrongType(`tools[${i}]`, 'an object', tool);
    if (tool.type !== 'function' && tool.type !== 'custom') return invalid(`Invalid value: '${shown(tool.type)}'. Supported values are: 'function' and 'custom'.`, `tools[${i}].type`, 'invalid_value');
    const fn = tool.function;
    if (tool.type === 'function' && (!isObject(fn) || typeof fn.name !== 'string')) return missing(`tools[${i}].function.name`);
  }
  return undefined;
}

const EMBEDDING_FIELDS: ReadonlySet<string> = new Set(['input', 'model', 'encoding_format', 'dimensions', 'user']);

export function validateEmbeddings(body: unknown): ApiError | undefined {
  if (!isObject(body)) return invalid('We could not parse the JSON body of your request.');
  for (const name of Object.keys(body)) if (!EMBEDDING_FIELDS.has(name)) return unrecognized(name);
  if (body.model === undefined) return invalid('you must provide a model parameter');
  if (body.input === undefined) return missing('input');
  const input = body.input;
  const ok = typeof input === 'string' ? input !== '' : Array.isArray(input) && input.length > 0 && input.every((item) => (typeof item === 'string' && item !== '') || typeof item === 'number' || (Array.isArray(item) && item.length > 0 && item.every((t) => typeof t === 'number')));
  if (!ok) return invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    return invalid(`Invalid value: '${shown(body.encoding_format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
  }
  if (body.dimensions !== undefined && (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1)) {
    return invalid(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${shown(body.dimensions)} instead.`, 'dimensions', 'integer_below_min_value');
  }
  return undefined;
}
