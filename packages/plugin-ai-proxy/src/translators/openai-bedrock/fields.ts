/**
 * What this pair does with each top-level field of a Chat Completions request, as data: docs/plugins/
 * ai-proxy.md's "OpenAI → Bedrock Converse" table is checked against it. A field is mapped, dropped
 * (harmless to leave out: it identifies the caller, or asks OpenAI to store or cache something, or is a
 * best-effort hint with no Converse counterpart), or refused with a 400 naming it when the client would
 * expect an effect gw can't give. Anything else gets OpenAI's own answer: `Unrecognized request argument`.
 */
import { checkFieldsAgainst, unset, zero, type FieldPolicy } from '../openai-chat/refuse.js';

export const FIELDS: Readonly<Record<string, FieldPolicy>> = {
  messages: { action: 'mapped', reason: 'messages and system (see the message table)' },
  model: { action: 'mapped', reason: "the model in the path, after Kong's pinning and model_aliases" },
  stream: { action: 'mapped', reason: 'ConverseStream' },
  stream_options: { action: 'mapped', reason: '`include_usage`: a last chunk with the usage; `include_obfuscation` dropped' },
  max_tokens: { action: 'mapped', reason: 'inferenceConfig.maxTokens' },
  max_completion_tokens: { action: 'mapped', reason: 'inferenceConfig.maxTokens (wins over max_tokens)' },
  temperature: { action: 'mapped', reason: 'inferenceConfig.temperature (Converse takes 0–1)' },
  top_p: { action: 'mapped', reason: 'inferenceConfig.topP (1, a no-op, is left out: Claude 4.5 refuses temperature with top_p)' },
  stop: { action: 'mapped', reason: 'inferenceConfig.stopSequences' },
  tools: { action: 'mapped', reason: 'toolConfig.tools' },
  tool_choice: { action: 'mapped', reason: 'toolConfig.toolChoice' },
  response_format: { action: 'mapped', reason: 'json_schema → outputConfig.textFormat; json_object refused' },
  reasoning_effort: { action: 'mapped', reason: 'a thinking budget for Claude 3.7 and 4.x' },
  n: { action: 'refused', allows: (v) => unset(v) || v === 1, reason: 'Converse answers one choice' },
  logprobs: { action: 'refused', allows: (v) => unset(v) || v === false, reason: 'Converse returns no log probabilities' },
  top_logprobs: { action: 'refused', allows: unset, reason: 'Converse returns no log probabilities' },
  frequency_penalty: { action: 'refused', allows: zero, reason: 'Converse has no frequency penalty' },
  presence_penalty: { action: 'refused', allows: zero, reason: 'Converse has no presence penalty' },
  logit_bias: { action: 'refused', allows: (v) => unset(v) || (typeof v === 'object' && Object.keys(v as object).length === 0), reason: 'Converse has no logit bias' },
  audio: { action: 'refused', allows: unset, reason: 'Converse answers no audio' },
  modalities: { action: 'refused', allows: (v) => unset(v) || (Array.isArray(v) && v.every((m) => m === 'text')), reason: 'Converse answers text only' },
  web_search_options: { action: 'refused', allows: unset, reason: 'Converse has no web search' },
  functions: { action: 'refused', allows: unset, reason: 'the legacy functions API: use tools' },
  function_call: { action: 'refused', allows: unset, reason: 'the legacy functions API: use tool_choice' },
  verbosity: { action: 'refused', allows: unset, reason: 'Converse has no verbosity setting' },
  moderation: { action: 'refused', allows: unset, reason: "OpenAI's moderation has no Converse counterpart" },
  service_tier: { action: 'refused', allows: (v) => unset(v) || v === 'auto' || v === 'default', reason: "OpenAI's service tiers have no Converse counterpart here" },
  seed: { action: 'dropped', reason: 'best effort at OpenAI too; Converse has no seed' },
  parallel_tool_calls: { action: 'dropped', reason: 'Converse has no switch; each tool call Claude makes is relayed' },
  prediction: { action: 'dropped', reason: 'a latency hint: the answer is the same without it' },
  user: { action: 'dropped', reason: 'identifies the caller to OpenAI' },
  safety_identifier: { action: 'dropped', reason: 'identifies the caller to OpenAI' },
  metadata: { action: 'dropped', reason: "OpenAI's stored-completion tags" },
  store: { action: 'dropped', reason: "OpenAI's stored completions" },
  prompt_cache_key: { action: 'dropped', reason: "OpenAI's cache routing; Bedrock caches at cachePoints (cache_control on a part)" },
  prompt_cache_retention: { action: 'dropped', reason: "OpenAI's cache routing" },
  prompt_cache_options: { action: 'dropped', reason: "OpenAI's cache routing" },
};

/** Refuse what the pair can't do: an unknown field as OpenAI would, a refused one naming why. */
export function checkFields(fields: ReadonlyMap<string, unknown>, raw: ReadonlyMap<string, string>): void {
  checkFieldsAgainst(FIELDS, fields, raw);
}
