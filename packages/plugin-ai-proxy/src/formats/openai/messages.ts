/**
 * `messages` of a Chat Completions request, read into parts for a pair that translates them. Texts stay
 * the JSON string literals the client wrote (latin1 views of its bytes, quotes included: RawString), so a
 * translation splices them unchanged; a data URL's base64 stays a view too. Small values (roles, ids,
 * names) are parsed. Every part and message carries its path, for errors that name the field.
 */
import { GatewayError } from '@gw/plugin-api';
import { readElements, readMembers, type RawMembers } from '../../text/json-members.js';
import { textOf } from '../../text/byte-text.js';
import { invalidField } from './body.js';

/** A JSON string literal exactly as the client wrote it: latin1 view of its bytes, quotes included. */
export type RawString = string;

export type ChatPart =
  /** `cache`: the part carried `cache_control` (the Anthropic-style prompt-cache mark some clients add). */
  | { kind: 'text'; path: string; text: RawString; cache: boolean }
  /** An inline image: `data:<mediaType>;base64,<base64>`; `base64` is ASCII, safe between quotes. */
  | { kind: 'image'; path: string; mediaType: string; base64: string; cache: boolean }
  /** An image by URL (http, https, or a data URL that is not base64): the pair decides. `url` is the raw literal. */
  | { kind: 'image_url'; path: string; url: RawString }
  /** `file.file_data` as a data URL. */
  | { kind: 'file'; path: string; mediaType: string; base64: string; filename: string | undefined; cache: boolean }
  /** A part type the reader does not map (`input_audio`, `file` by id, …): the pair decides. */
  | { kind: 'other'; path: string; type: string };

export interface ChatToolCall {
  path: string;
  id: string;
  name: string;
  /** `function.arguments`, decoded: the JSON text of the arguments ('' when the client sent none). */
  arguments: string;
}

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface ChatMessage {
  path: string;
  role: ChatRole;
  /** A string content is one text part; null or absent content is none. */
  parts: ChatPart[];
  /** assistant: `tool_calls`. */
  toolCalls: ChatToolCall[];
  /** tool: `tool_call_id`. */
  toolCallId: string | undefined;
  /**
   * Members with an effect the reader does not map (`audio`, `function_call`): the pair decides. Others
   * are left out: clients echo answers back with `parsed`, `annotations`, `refusal: null`, a `name`, ….
   */
  unmapped: string[];
}

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function syntax(path: string, what: string): GatewayError {
  return invalidField(path, `expected ${what}`);
}

function members(raw: string, path: string): RawMembers {
  if (raw.charCodeAt(0) !== 0x7b) throw syntax(path, 'an object');
  try {
    return readMembers(raw);
  } catch {
    throw syntax(path, 'an object');
  }
}

function elements(raw: string, path: string): string[] {
  if (raw.charCodeAt(0) !== 0x5b) throw syntax(path, 'an array');
  try {
    return readElements(raw);
  } catch {
    throw syntax(path, 'an array');
  }
}

/** A small value, parsed as real text. */
function parse(raw: string, path: string): unknown {
  try {
    return JSON.parse(textOf(raw)) as unknown;
  } catch {
    throw syntax(path, 'valid JSON');
  }
}

function string(raw: string | undefined, path: string): string {
  const value = raw === undefined ? undefined : parse(raw, path);
  if (typeof value !== 'string') throw syntax(path, 'a string');
  return value;
}

const isNull = (raw: string | undefined) => raw === undefined || raw === 'null';

export function readMessages(raw: string): ChatMessage[] {
  return elements(raw, 'messages').map((item, i) => readMessage(item, `messages[${i}]`));
}

function readMessage(raw: string, path: string): ChatMessage {
  const fields = members(raw, path);
  const role = string(fields.get('role'), `${path}.role`);
  if (!ROLES.has(role)) throw invalidField(`${path}.role`, `'${role}' is not one of system, developer, user, assistant, tool`);
  const message: ChatMessage = { path, role: role as ChatRole, parts: [], toolCalls: [], toolCallId: undefined, unmapped: [] };
  for (const [name, value] of fields) {
    switch (name) {
      case 'role':
        break;
      case 'content':
        if (!isNull(value)) message.parts = readContent(value, `${path}.content`);
        break;
      case 'tool_calls':
        if (!isNull(value)) message.toolCalls = elements(value, `${path}.tool_calls`).map((call, j) => readToolCall(call, `${path}.tool_calls[${j}]`));
        break;
      case 'tool_call_id':
        message.toolCallId = string(value, `${path}.tool_call_id`);
        break;
      case 'refusal':
        // An assistant's refusal is what it said.
        if (!isNull(value)) message.parts.push({ kind: 'text', path: `${path}.refusal`, text: value, cache: false });
        break;
      case 'audio':
      case 'function_call':
        if (!isNull(value)) message.unmapped.push(name);
        break;
      default:
        break;
    }
  }
  if (message.role === 'tool' && message.toolCallId === undefined) throw invalidField(`${path}.tool_call_id`, 'a tool message needs the id of the call it answers');
  return message;
}

function readContent(raw: string, path: string): ChatPart[] {
  if (raw.charCodeAt(0) === 0x22) return [{ kind: 'text', path, text: raw, cache: false }];
  return elements(raw, path).map((item, k) => readPart(item, `${path}[${k}]`));
}

function readPart(raw: string, path: string): ChatPart {
  const fields = members(raw, path);
  const type = string(fields.get('type'), `${path}.type`);
  const cache = !isNull(fields.get('cache_control'));
  switch (type) {
    case 'text': {
      const text = fields.get('text');
      if (text === undefined || text.charCodeAt(0) !== 0x22) throw syntax(`${path}.text`, 'a string');
      return { kind: 'text', path, text, cache };
    }
    case 'refusal': {
      const text = fields.get('refusal');
      if (text === undefined || text.charCodeAt(0) !== 0x22) throw syntax(`${path}.refusal`, 'a string');
      return { kind: 'text', path, text, cache };
    }
    case 'image_url': {
      const image = fields.get('image_url');
      if (image === undefined) throw syntax(`${path}.image_url`, 'an object');
      // `{url, detail}`; some clients send the URL as a plain string.
      const url = image.charCodeAt(0) === 0x22 ? image : members(image, `${path}.image_url`).get('url');
      const urlPath = image.charCodeAt(0) === 0x22 ? `${path}.image_url` : `${path}.image_url.url`;
      if (url === undefined || url.charCodeAt(0) !== 0x22) throw syntax(urlPath, 'a string');
      const data = dataUrl(url, urlPath);
      return data === undefined ? { kind: 'image_url', path: urlPath, url } : { kind: 'image', path: urlPath, ...data, cache };
    }
    case 'file': {
      const file = fields.get('file');
      if (file === undefined) throw syntax(`${path}.file`, 'an object');
      const fileFields = members(file, `${path}.file`);
      const fileData = fileFields.get('file_data');
      if (isNull(fileData)) return { kind: 'other', path: `${path}.file.file_id`, type: 'file_id' };
      if (fileData!.charCodeAt(0) !== 0x22) throw syntax(`${path}.file.file_data`, 'a string');
      const data = dataUrl(fileData!, `${path}.file.file_data`);
      if (data === undefined) throw invalidField(`${path}.file.file_data`, 'expected a base64 data URL (data:<media type>;base64,…)');
      const filename = isNull(fileFields.get('filename')) ? undefined : string(fileFields.get('filename'), `${path}.file.filename`);
      return { kind: 'file', path: `${path}.file.file_data`, ...data, filename, cache };
    }
    default:
      return { kind: 'other', path, type };
  }
}

function readToolCall(raw: string, path: string): ChatToolCall {
  const fields = members(raw, path);
  const type = fields.get('type');
  if (type !== undefined && parse(type, `${path}.type`) !== 'function') throw invalidField(`${path}.type`, "only 'function' tool calls are supported");
  const fn = fields.get('function');
  if (fn === undefined) throw syntax(`${path}.function`, 'an object');
  const fnFields = members(fn, `${path}.function`);
  const args = fnFields.get('arguments');
  return {
    path,
    id: string(fields.get('id'), `${path}.id`),
    name: string(fnFields.get('name'), `${path}.function.name`),
    arguments: isNull(args) ? '' : string(args, `${path}.function.arguments`),
  };
}

const DATA_PREFIX = '"data:';
const BASE64_MARK = ';base64';

/**
 * A base64 data URL's media type and data, the data kept as a view of the literal (base64 needs no
 * escapes; a literal with any, such as `\/`, is decoded first). Undefined for any other URL.
 */
function dataUrl(raw: RawString, path: string): { mediaType: string; base64: string } | undefined {
  if (raw.slice(0, DATA_PREFIX.length).toLowerCase() !== DATA_PREFIX) return undefined;
  const literal = raw.includes('\\') ? JSON.stringify(string(raw, path)) : raw;
  const comma = literal.indexOf(',');
  if (comma < 0) return undefined;
  const header = literal.slice(DATA_PREFIX.length, comma);
  if (!header.toLowerCase().endsWith(BASE64_MARK)) return undefined;
  const mediaType = header.slice(0, -BASE64_MARK.length).split(';')[0]!.trim().toLowerCase();
  return { mediaType, base64: literal.slice(comma + 1, -1) };
}
