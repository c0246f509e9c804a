/**
 * Chat Completions messages → Converse `system` and `messages`: the walk is shared with the other openai
 * pairs (../openai-chat/turns.ts); here is how each block is written for Converse:
 * - a tool result that is a JSON object goes as `json`, anything else as text (Kong OSS fails on text);
 * - images and files come as base64 data URLs; an http(s) image URL is refused, since Converse takes bytes
 *   and a gateway fetching URLs for its clients would be an SSRF hole;
 * - a part's `cache_control` (the Anthropic-style mark OpenRouter and LiteLLM clients send) becomes a
 *   `cachePoint` after it, so prompt caching works from an OpenAI client.
 */
import { latin1Of, textOf } from '../../text/byte-text.js';
import type { ChatMessage, ChatPart, ChatRole, RawString } from '../../formats/openai/messages.js';
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from '../openai-chat/refuse.js';
import { walkChat, type Conversation, type TurnWriter } from '../openai-chat/turns.js';

export const CACHE_POINT = '{"cachePoint":{"type":"default"}}';

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

const EMPTY_LITERAL = '""';

export function toConverseConversation(messages: readonly ChatMessage[]): Conversation {
  return walkChat(messages, CONVERSE);
}

const CONVERSE: TurnWriter = {
  part(part: ChatPart, blocks: string[], role: ChatRole, conversation: Conversation) {
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
        blocks.push(`{"document":{"format":"${format}","name":${JSON.stringify(documentName(part.filename, ++conversation.documents))},"source":{"bytes":"${part.base64}"}}}`);
        break;
      }
      case 'other':
        throw unsupported(part.path, part.type === 'file_id' ? 'Bedrock has no access to OpenAI file ids: send the file as file_data' : `Bedrock Converse has no '${part.type}' content`);
    }
    if (part.cache && blocks.length > before) blocks.push(CACHE_POINT);
  },
  toolUse: (id, call, input) => `{"toolUse":{"toolUseId":${JSON.stringify(id)},"name":${latin1Of(JSON.stringify(call.name))},"input":${input}}}`,
  toolResult,
  unmapped: (path, name) => unsupported(path, name === 'function_call' ? 'the legacy functions API: use tool_calls' : `Bedrock Converse has no '${name}' in messages`),
};

function toolResult(message: ChatMessage, toolUseId: string): string[] {
  const id = JSON.stringify(toolUseId);
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
