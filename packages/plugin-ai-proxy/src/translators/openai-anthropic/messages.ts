/**
 * Chat Completions messages → Anthropic `system` and `messages` (the walk: ../openai-chat/turns.ts); how each
 * block is written for the Messages API, and where gw does better than Kong (which copies message objects
 * through, so array content, images and tool results with parts reach Anthropic in OpenAI's shape and fail):
 * - text parts are `text` blocks (empty ones left out: Anthropic refuses them); `cache_control` on a part
 *   or a tool message is kept on its block, so prompt caching works from an OpenAI client;
 * - images: a base64 data URL is a `base64` source, an http(s) URL a `url` source (Anthropic fetches it);
 *   only in user messages, as Anthropic takes them;
 * - files: a PDF is a `document` with a base64 source, plain text a `document` with a text source;
 * - a tool message is a `tool_result` block in the next user turn, its text parts as text blocks.
 */
import type { ChatMessage, ChatPart, ChatRole } from '../../formats/openai/messages.js';
import { invalidField } from '../../formats/openai/body.js';
import { latin1Of } from '../../text/byte-text.js';
import { unsupported } from '../openai-chat/refuse.js';
import { walkChat, type Conversation, type TurnWriter } from '../openai-chat/turns.js';

const CACHE = ',"cache_control":{"type":"ephemeral"}';
const EMPTY_LITERAL = '""';
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** A block's JSON with the cache mark inside its closing brace. */
const cached = (block: string, cache: boolean) => (cache ? `${block.slice(0, -1)}${CACHE}}` : block);

export function toAnthropicConversation(messages: readonly ChatMessage[]): Conversation {
  return walkChat(messages, ANTHROPIC);
}

const ANTHROPIC: TurnWriter = {
  part(part: ChatPart, blocks: string[], role: ChatRole) {
    if (role !== 'user' && (part.kind === 'image' || part.kind === 'image_url' || part.kind === 'file')) {
      throw unsupported(part.path, `Anthropic takes images and files in user messages only, not in ${role} messages`);
    }
    switch (part.kind) {
      case 'text':
        if (part.text !== EMPTY_LITERAL) blocks.push(cached(`{"type":"text","text":${part.text}}`, part.cache));
        return;
      case 'image': {
        const type = part.mediaType === 'image/jpg' ? 'image/jpeg' : part.mediaType;
        if (!IMAGE_TYPES.has(type)) throw invalidField(part.path, `image type '${part.mediaType}' is not one Anthropic takes (png, jpeg, gif, webp)`);
        blocks.push(cached(`{"type":"image","source":{"type":"base64","media_type":"${type}","data":"${part.base64}"}}`, part.cache));
        return;
      }
      case 'image_url':
        if (!/^"https?:\/\//i.test(part.url)) throw invalidField(part.path, 'expected an http(s) URL or a base64 data URL');
        blocks.push(`{"type":"image","source":{"type":"url","url":${part.url}}}`);
        return;
      case 'file':
        if (part.mediaType === 'application/pdf') {
          blocks.push(cached(`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"${part.base64}"}}`, part.cache));
        } else if (part.mediaType === 'text/plain') {
          const text = latin1Of(JSON.stringify(Buffer.from(part.base64, 'base64').toString('utf8')));
          blocks.push(cached(`{"type":"document","source":{"type":"text","media_type":"text/plain","data":${text}}}`, part.cache));
        } else {
          throw invalidField(part.path, `file type '${part.mediaType}' is not one Anthropic takes (pdf, txt)`);
        }
        return;
      case 'other':
        throw unsupported(part.path, part.type === 'file_id' ? 'Anthropic has no access to OpenAI file ids: send the file as file_data' : `Anthropic has no '${part.type}' content`);
    }
  },
  toolUse: (id, call, input) => `{"type":"tool_use","id":${JSON.stringify(id)},"name":${latin1Of(JSON.stringify(call.name))},"input":${input}}`,
  toolResult(message: ChatMessage, id: string) {
    const content = message.parts.map((part) => {
      if (part.kind !== 'text') throw unsupported(part.path, 'tool results carry text here');
      return `{"type":"text","text":${part.text}}`;
    }).filter((block) => block !== `{"type":"text","text":${EMPTY_LITERAL}}`);
    const cache = message.parts.some((part) => 'cache' in part && part.cache);
    const body = content.length > 0 ? `,"content":[${content.join(',')}]` : '';
    return [cached(`{"type":"tool_result","tool_use_id":${JSON.stringify(id)}${body}}`, cache)];
  },
  unmapped: (path, name) => unsupported(path, name === 'function_call' ? 'the legacy functions API: use tool_calls' : `Anthropic has no '${name}' in messages`),
};
