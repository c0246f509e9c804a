/**
 * An OpenAI Chat Completions request, read the way the Anthropic format reads its body (text/byte-text.ts,
 * text/json-members.ts): the top level is split into members as latin1 views; `messages` and `tools`,
 * most of a body, are kept as raw text for the pair that needs them (messages.ts and tools.ts read them
 * into parts whose strings stay raw, so a translation splices the client's bytes instead of decoding and
 * re-encoding them); every other member is small and parsed here.
 */
import { GatewayError } from '@gw/plugin-api';
import { byteText, textOf, type ByteText } from '../../text/byte-text.js';
import { DuplicateMemberError, readMembers, type MemberStarts, type RawMembers } from '../../text/json-members.js';
import type { MemberSource } from '../../text/write-members.js';

export interface ChatBody extends ByteText, MemberSource {
  /** The client's `model`, when it is a string. */
  model: string | undefined;
  /** `stream: true` */
  stream: boolean;
  /** The parsed members other than `messages` and `tools` (strings are real text). */
  fields: ReadonlyMap<string, unknown>;
}

/** Scanned, not parsed: their readers (messages.ts, tools.ts) walk them into raw parts. */
const RAW_MEMBERS: ReadonlySet<string> = new Set(['messages', 'tools']);

function invalid(): never {
  throw new GatewayError('GW_ERR_AI_INVALID_BODY');
}

function duplicate(name: string): GatewayError {
  let key = JSON.stringify(name);
  if (key.length > 64) key = `${key.slice(0, 60)}…"`;
  return new GatewayError('GW_ERR_AI_DUPLICATE_KEY', { params: { key }, param: name });
}

/** A request field of the wrong kind: OpenAI's `param` names it. */
export function invalidField(field: string, reason: string): GatewayError {
  return new GatewayError('GW_ERR_AI_INVALID_FIELD', { params: { field, reason }, param: field });
}

/**
 * Check the body as Kong's normalize-request does (UTF-8 JSON object with a non-empty `messages` array,
 * else `request body doesn't contain valid prompts`) and, unlike Kong, refuse a top-level key given twice
 * and a `model` or `stream` of the wrong type.
 */
export function parseChatBody(bytes: Uint8Array): ChatBody {
  const body = byteText(bytes) ?? invalid();
  let members: RawMembers;
  const starts: MemberStarts = new Map();
  try {
    members = readMembers(body.latin1, { whole: true, starts });
  } catch (error) {
    if (error instanceof DuplicateMemberError) throw duplicate(error.key);
    invalid();
  }
  const fields = new Map<string, unknown>();
  for (const [name, raw] of members) {
    if (RAW_MEMBERS.has(name)) continue;
    try {
      fields.set(name, JSON.parse(textOf(raw)));
    } catch {
      invalid();
    }
  }
  const messages = members.get('messages');
  if (messages === undefined || messages.charCodeAt(0) !== 0x5b || /^\[\s*\]$/.test(messages)) invalid();
  const model = fields.get('model');
  if (model !== undefined && model !== null && typeof model !== 'string') throw invalidField('model', 'expected a string');
  const stream = fields.get('stream');
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw invalidField('stream', 'expected a boolean');
  return { ...body, members, starts, fields, model: typeof model === 'string' ? model : undefined, stream: stream === true };
}
