/**
 * What the OpenAI → Anthropic pair does with each top-level field of a Chat Completions request, as data:
 * docs/plugins/ai-proxy.md's "OpenAI → Anthropic" table is checked against it (../openai-chat/refuse.ts
 * says what the actions mean).
 */
import { checkFieldsAgainst, unset, zero, type FieldPolicy } from '../openai-chat/refuse.js';

export const FIELDS: Readonly<Record<string, FieldPolicy>> = {
  messages: { action: 'mapped', reason: 'messages and system (see the message table)' },
  model: { action: 'mapped', reason: "`model`, after Kong's pinning and model_aliases" },
  stream: { action: 'mapped', reason: '`stream`' },
  stream_options: { action: 'mapped', reason: '`include_usage`: a last chunk with the usage; `include_obfuscation` dropped' },
  max_tokens: { action: 'mapped', reason: '`max_tokens` (Anthropic requires one: 4096 when neither the request nor model.options.max_tokens sets it)' },
  max_completion_tokens: { action: 'mapped', reason: '`max_tokens` (wins over max_tokens)' },
  temperature: { action: 'mapped', reason: '`temperature` (Anthropic takes 0–1)' },
  top_p: { action: 'mapped', reason: '`top_p` (1, a no-op, is left out: Claude 4.5 refuses temperature with top_p)' },
  stop: { action: 'mapped', reason: '`stop_sequences`' },
  tools: { action: 'mapped', reason: '`tools` (name, description, input_schema; cache_control kept)' },
  tool_choice: { action: 'mapped', reason: 'auto → auto, required → any, a function → tool, none → none' },
  parallel_tool_calls: { action: 'mapped', reason: '`false` → tool_choice.disable_parallel_tool_use' },
  response_format: { action: 'mapped', reason: 'json_schema → output_config.format; json_object refused' },
  reasoning_effort: { action: 'mapped', reason: '`thinking` with a budget, for Claude 3.7 and 4.x' },
  user: { action: 'mapped', reason: '`metadata.user_id`' },
  n: { action: 'refused', allows: (v) => unset(v) || v === 1, reason: 'Anthropic answers one choice' },
  logprobs: { action: 'refused', allows: (v) => unset(v) || v === false, reason: 'Anthropic returns no log probabilities' },
  top_logprobs: { action: 'refused', allows: unset, reason: 'Anthropic returns no log probabilities' },
  frequency_penalty: { action: 'refused', allows: zero, reason: 'Anthropic has no frequency penalty' },
  presence_penalty: { action: 'refused', allows: zero, reason: 'Anthropic has no presence penalty' },
  logit_bias: { action: 'refused', allows: (v) => unset(v) || (typeof v === 'object' && Object.keys(v as object).length === 0), reason: 'Anthropic has no logit bias' },
  audio: { action: 'refused', allows: unset, reason: 'Anthropic answers no audio' },
  modalities: { action: 'refused', allows: (v) => unset(v) || (Array.isArray(v) && v.every((m) => m === 'text')), reason: 'Anthropic answers text only' },
  web_search_options: { action: 'refused', allows: unset, reason: "OpenAI's web search has no counterpart here (Anthropic's is a server tool)" },
  functions: { action: 'refused', allows: unset, reason: 'the legacy functions API: use tools' },
  function_call: { action: 'refused', allows: unset, reason: 'the legacy functions API: use tool_choice' },
  verbosity: { action: 'refused', allows: unset, reason: 'Anthropic has no verbosity setting' },
  moderation: { action: 'refused', allows: unset, reason: "OpenAI's moderation has no Anthropic counterpart" },
  service_tier: { action: 'refused', allows: (v) => unset(v) || v === 'auto' || v === 'default', reason: "OpenAI's service tiers have no Anthropic counterpart here" },
  seed: { action: 'dropped', reason: 'best effort at OpenAI too; Anthropic has no seed' },
  prediction: { action: 'dropped', reason: 'a latency hint: the answer is the same without it' },
  safety_identifier: { action: 'dropped', reason: 'identifies the caller to OpenAI' },
  metadata: { action: 'dropped', reason: "OpenAI's stored-completion tags (Anthropic's metadata takes only user_id, from `user`)" },
  store: { action: 'dropped', reason: "OpenAI's stored completions" },
  prompt_cache_key: { action: 'dropped', reason: "OpenAI's cache routing; Anthropic caches at cache_control marks (kept on parts and tools)" },
  prompt_cache_retention: { action: 'dropped', reason: "OpenAI's cache routing" },
  prompt_cache_options: { action: 'dropped', reason: "OpenAI's cache routing" },
};

export function checkFields(fields: ReadonlyMap<string, unknown>, raw: ReadonlyMap<string, string>): void {
  checkFieldsAgainst(FIELDS, fields, raw);
}
