/**
 * Chat Completions messages → a Messages-style conversation (Converse's and Anthropic's have the same
 * layout): `system` apart, user and assistant turns alternating, tool results in the user turn after the
 * calls. The walk is shared; a pair's TurnWriter renders each block in its backend's JSON, as latin1 text
 * (text/byte-text.ts) in which every text is the client's own literal, spliced. What Kong does and gw
 * does better:
 * - system and developer messages, wherever they are, become system blocks (Kong: the last system only);
 * - every tool call of an assistant message becomes a block (Kong OSS keeps only the last one on Bedrock);
 * - `tool` messages become tool results, and consecutive turns of one role merge into one message: both
 *   backends want roles to alternate and all of a turn's tool results in the next user message (Kong sends
 *   one message per result, which they refuse for two parallel calls).
 */
import { createHash } from 'node:crypto';
import type { GatewayError } from '@gw/plugin-api';
import { latin1Of } from '../../text/byte-text.js';
import type { ChatMessage, ChatPart, ChatRole, ChatToolCall } from '../../formats/openai/messages.js';
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from './refuse.js';

export interface Turn {
  role: 'user' | 'assistant';
  /** Content blocks, each JSON text (latin1 view). */
  blocks: string[];
}

export interface Conversation {
  system: string[];
  turns: Turn[];
  /** Names of the tools the history's tool calls name (both backends want them declared). */
  usedTools: Set<string>;
  /** The last assistant turn called tools (the conversation is inside a tool loop). */
  inToolLoop: boolean;
  /** Documents written so far (for names a backend wants unique). */
  documents: number;
}

export interface TurnWriter {
  /** One content part of a `role` message, appended to `blocks`; the writer refuses what its backend can't take. */
  part(part: ChatPart, blocks: string[], role: ChatRole, conversation: Conversation): void;
  /** An assistant's tool call; `id` is safe for the backend, `input` the checked arguments object (latin1 JSON). */
  toolUse(id: string, call: ChatToolCall, input: string): string;
  /** A `tool` message, as blocks of the next user turn; `id` as toolUse got it. */
  toolResult(message: ChatMessage, id: string): string[];
  /** A message member the reader left unmapped (`audio`, `function_call`). */
  unmapped(path: string, name: string): GatewayError;
}

const TOOL_USE_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Converse's and Anthropic's tool ids are `[a-zA-Z0-9_-]` (Converse: at most 64); other clients' ids
 * (`call:0`, long ones) are rewritten the same way for the call and its result, so they still pair.
 */
export function toolUseId(id: string): string {
  if (TOOL_USE_ID.test(id)) return id;
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return cleaned.length > 0 && cleaned.length <= 64 ? cleaned : `call_${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

export function walkChat(messages: readonly ChatMessage[], writer: TurnWriter): Conversation {
  const out: Conversation = { system: [], turns: [], usedTools: new Set(), inToolLoop: false, documents: 0 };
  const push = (role: Turn['role'], blocks: string[]) => {
    if (blocks.length === 0) return;
    const last = out.turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else out.turns.push({ role, blocks });
  };
  for (const message of messages) {
    if (message.unmapped.length > 0) throw writer.unmapped(`${message.path}.${message.unmapped[0]!}`, message.unmapped[0]!);
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const part of message.parts) writer.part(part, out.system, message.role, out);
        break;
      case 'user': {
        const blocks: string[] = [];
        for (const part of message.parts) writer.part(part, blocks, 'user', out);
        push('user', blocks);
        break;
      }
      case 'assistant': {
        const blocks: string[] = [];
        for (const part of message.parts) writer.part(part, blocks, 'assistant', out);
        for (const call of message.toolCalls) {
          blocks.push(writer.toolUse(toolUseId(call.id), call, toolInput(call.arguments, `${call.path}.function.arguments`)));
          out.usedTools.add(call.name);
        }
        push('assistant', blocks);
        out.inToolLoop = message.toolCalls.length > 0;
        break;
      }
      case 'tool':
        push('user', writer.toolResult(message, toolUseId(message.toolCallId!)));
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
