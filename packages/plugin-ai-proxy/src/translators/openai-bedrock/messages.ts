/**
 * Chat Completions messages → Converse `system` and `messages`, as latin1 JSON text (shared/byte-text.ts)
 * in which every text is the client's own literal, spliced. What Kong does and gw does better:
 * - system and developer messages, wherever they are, become `system` blocks (Kong: system only);
 * - every tool call of an assistant message becomes a `toolUse` (Kong OSS keeps only the last one);
 * - `tool` messages become `toolResult` blocks, and consecutive turns of one Converse role merge into one
 *   message: Converse wants roles to alternate and all of a turn's tool results in the next user message
 *   (Kong sends one message per result, which Bedrock refuses for two parallel calls);
 * - a tool result that is a JSON object goes as `json`, anything else as text (Kong OSS fails on text);
 * - images and files come as base64 data URLs; an http(s) image URL is refused, since Converse takes bytes
 *   and a gateway fetching URLs for its clients would be an SSRF hole;
 * - a part's `cache_control` (the Anthropic-style mark OpenRouter and LiteLLM clients send) becomes a
 *   `cachePoint` after it, so prompt caching works from an OpenAI client.
 */
import { createHash } from 'node:crypto';
import { latin1Of, textOf } from '../../shared/byte-text.js';
import type { ChatMessage, ChatPart, RawString } from '../../formats/openai/messages.js';
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from './fields.js';

export const CACHE_POINT = '{"cachePoint":{"type":"default"}}';

export interface ConverseTurn {
  role: 'user' | 'assistant';
  /** Content blocks, each JSON text (latin1 view). */
  blocks: string[];
}

export interface ConverseConversation {
  system: string[];
  turns: ConverseTurn[];
  /** Names of the tools the history's toolUse blocks call (toolConfig must list them). */
  usedTools: Set<string>;
  /** The last assistant turn called tools (the conversation is inside a tool loop). */
  inToolLoop: boolean;
}

const IMAGE_FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

const TOOL_USE_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Converse ids are `[a-zA-Z0-9_-]{1,64}`; other clients' ids (`call:0`, long ones) are rewritten the same
 * way for the call and its result, so they still pair.
 */
export function toolUseId(id: string): string {
  if (TOOL_USE_ID.test(id)) return id;
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned.length > 0 && cleaned.length <= 64 ? cleaned : `call_${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

const EMPTY_LITERAL = '""';

export function toConverseConversation(messages: readonly ChatMessage[]): ConverseConversation {
  const out: ConverseConversation = { system: [], turns: [], usedTools: new Set(), inToolLoop: false };
  let documents = 0;
  const push = (role: ConverseTurn['role'], blocks: string[]) => {
    if (blocks.length === 0) return;
    const last = out.turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else out.turns.push({ role, blocks });
  };
  const content = (part: ChatPart, blocks: string[], role: string) => {
    if (role !== 'user' && (part.kind === 'image' || part.kind === 'image_url' || part.kind === 'file')) {
      throw unsupported(part.path, `Converse takes images and files in user messages only, not in ${role} messages`);
    }
    const before = blocks.length;
    switch (part.kind) {
      case 'text':
        if (part.text !== EMPTY_LITERAL) blocks.push(`{"text":${part.text}}`);
        break;
      case 'image': {
        const format = IMAGE_FORMATS[part.mediaType];
        if (format === undefined) throw invalidField(part.path, `image type '${part.mediaType}' is not one Converse takes (png, jpeg, gif, webp)`);
        blocks.push(`{"image":{"format":"${format}","source":{"bytes":"${part.base64}"}}}`);
        break;
      }
      case 'image_url':
        throw unsupported(part.path, 'Bedrock Converse takes image bytes and gw does not fetch URLs for its clients: send the image as a data URL (data:image/png;base64,…)');
      case 'file': {
        const format = DOCUMENT_FORMATS[part.mediaType];
        if (format === undefined) throw invalidField(part.path, `file type '${part.mediaType}' is not one Converse takes (pdf, csv, doc, docx, xls, xlsx, html, txt, md)`);
        blocks.push(`{"document":{"format":"${format}","name":${JSON.stringify(documentName(part.filename, ++documents))},"source":{"bytes":"${part.base64}"}}}`);
        break;
      }
      case 'other':
        throw unsupported(part.path, part.type === 'file_id' ? 'Bedrock has no access to OpenAI file ids: send the file as file_data' : `Bedrock Converse has no '${part.type}' content`);
    }
    if (part.cache && blocks.length > before) blocks.push(CACHE_POINT);
  };

  for (const message of messages) {
    if (message.unmapped.length > 0) {
      const name = message.unmapped[0]!;
      throw unsupported(`${message.path}.${name}`, name === 'function_call' ? 'the legacy functions API: use tool_calls' : `Bedrock Converse has no '${name}' in messages`);
    }
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const part of message.parts) content(part, out.system, message.role);
        break;
      case 'user': {
        const blocks: string[] = [];
        for (const part of message.parts) content(part, blocks, 'user');
        push('user', blocks);
        break;
      }
      case 'assistant': {
        const blocks: string[] = [];
        for (const part of message.parts) content(part, blocks, 'assistant');
        for (const call of message.toolCalls) {
          blocks.push(`{"toolUse":{"toolUseId":${JSON.stringify(toolUseId(call.id))},"name":${latin1Of(JSON.stringify(call.name))},"input":${toolInput(call.arguments, `${call.path}.function.arguments`)}}}`);
          out.usedTools.add(call.name);
        }
        push('assistant', blocks);
        out.inToolLoop = message.toolCalls.length > 0;
        break;
      }
      case 'tool':
        push('user', toolResult(message));
        break;
      case 'function':
        throw unsupported(`${message.path}.role`, "the legacy functions API: use 'tool' messages");
    }
    if (message.role === 'user') out.inToolLoop = false;
  }
  return out;
}

/** The arguments' JSON text, checked to be an object, spliced as it came. */
function toolInput(args: string, path: string): string {
  const text = args.trim() === '' ? '{}' : args;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidField(path, 'expected the arguments as a JSON object');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidField(path, 'expected the arguments as a JSON object');
  return latin1Of(text);
}

function toolResult(message: ChatMessage): string[] {
  const id = JSON.stringify(toolUseId(message.toolCallId!));
  const parts = message.parts;
  const cache = parts.some((part) => 'cache' in part && part.cache);
  let content: string[];
  const only = parts.length === 1 && parts[0]!.kind === 'text' ? parts[0]!.text : undefined;
  const json = only === undefined ? undefined : jsonObject(only);
  if (json !== undefined) content = [`{"json":${json}}`];
  else {
    content = parts.map((part) => {
      if (part.kind !== 'text') throw unsupported(part.path, 'tool results carry text here');
      return `{"text":${part.text}}`;
    });
    if (content.length === 0) content = ['{"text":""}'];
  }
  const block = `{"toolResult":{"toolUseId":${id},"content":[${content.join(',')}]}}`;
  return cache ? [block, CACHE_POINT] : [block];
}

/** The literal's text when it is a JSON object (as latin1 JSON), else undefined. */
function jsonObject(literal: RawString): string | undefined {
  // Only a literal that starts with `{` (after blanks) can hold one: skip decoding everything else.
  let i = 1;
  while (literal.charCodeAt(i) === 0x20 || (literal.charCodeAt(i) === 0x5c && literal.charCodeAt(i + 1) === 0x6e)) i += literal.charCodeAt(i) === 0x20 ? 1 : 2;
  if (literal.charCodeAt(i) !== 0x7b) return undefined;
  try {
    const text = JSON.parse(textOf(literal)) as string;
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? latin1Of(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Converse document names: letters, digits, spaces, hyphens, parentheses, brackets; no double spaces. */
function documentName(filename: string | undefined, n: number): string {
  const base = (filename ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[^A-Za-z0-9\s\-()[\]]/g, '-').replace(/\s+/g, ' ').trim();
  return base === '' ? `document-${n}` : base.slice(0, 200);
}
