/**
 * OpenAI is the client's own format: the body passes through, spliced only where gw changes it
 * (text/json-members.ts, text/write-members.ts): `model` after pinning and aliasing, Kong's model.options overrides
 * (temperature, top_p, max_tokens), `stream` when response_streaming forces it, and
 * `stream_options.include_usage` on every stream, so the answer's usage is known (Kong estimates a stream's
 * tokens from its text instead). The usage chunk the client did not ask for is taken out of its stream.
 */
import type { PlanInput, Planned } from '../translator.js';
import type { ChatBody } from '../../formats/openai/body.js';
import type { ModelOptions } from '../../config/types.js';
import { planOpenAiCall, type OpenAiPlan } from '../../backends/openai/plan.js';
import type { RawMembers } from '../../text/json-members.js';
import { writeMembersPieces } from '../../text/write-members.js';
import { latin1Of } from '../../text/byte-text.js';

export interface OpenAiChatPlan extends OpenAiPlan {
  /** gw added include_usage: drop the usage chunk from the client's stream. */
  stripUsage: boolean;
}

export function planChat(input: PlanInput<ChatBody>): Planned<OpenAiChatPlan> {
  const { config, body: chat } = input;
  const members = new Map(chat.members);
  let changed = false;
  const set = (name: string, json: string) => {
    if (members.get(name) === json) return;
    members.set(name, json);
    changed = true;
  };
  if (input.model !== chat.model) set('model', latin1Of(JSON.stringify(input.model)));
  changed = applyOpenAiOptions(members, config.model.options) || changed;
  let stripUsage = false;
  if (input.stream) {
    if (!chat.stream) set('stream', 'true');
    const options = chat.fields.get('stream_options');
    const asked = typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
    if (!asked) {
      stripUsage = true;
      const merged = typeof options === 'object' && options !== null && !Array.isArray(options) ? { ...options, include_usage: true } : { include_usage: true };
      set('stream_options', latin1Of(JSON.stringify(merged)));
    }
  }
  const body = changed ? writeMembersPieces(members, chat) : undefined;
  const plan = planOpenAiCall({ config, operation: 'chat', body, query: input.request.query, clientHeaders: input.request.headers });
  return { plan: { ...plan, stripUsage }, sent: body ?? chat.bytes };
}

/**
 * Kong's overrides: the configured value replaces the request's. max_tokens goes into the field the client
 * used (OpenAI's reasoning models refuse `max_tokens`; Kong always writes max_tokens), else max_tokens.
 * top_k is OpenAI's no field (Kong removes it; validation warns).
 */
function applyOpenAiOptions(members: RawMembers, options: ModelOptions | undefined): boolean {
  if (options === undefined) return false;
  let changed = false;
  const set = (name: string, value: number) => {
    members.set(name, JSON.stringify(value));
    changed = true;
  };
  if (typeof options.temperature === 'number') set('temperature', options.temperature);
  if (typeof options.top_p === 'number') set('top_p', options.top_p);
  if (typeof options.max_tokens === 'number') set(members.has('max_completion_tokens') ? 'max_completion_tokens' : 'max_tokens', options.max_tokens);
  return changed;
}
