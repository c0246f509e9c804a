/**
 * A Chat Completions request → a Converse body (`/model/<id>/converse[-stream]`). Built as latin1 JSON text
 * around the client's own string literals and schemas (shared/byte-text.ts), so the bulk of an agent's body
 * (system prompt, tool schemas, history) is copied, never decoded and re-encoded. Field by field, see
 * fields.ts; messages, messages.ts; tools, tool-config.ts; reasoning, thinking.ts.
 *
 * model.options overrides apply as Kong applies them (the configured value wins over the request's), except
 * where Bedrock would refuse the result: with thinking on, a configured temperature, top_k or a top_p below
 * 0.95 is skipped (reported in `skippedOptions`), as for Anthropic-format clients.
 */
import type { ModelOptions } from '../../config/types.js';
import type { ChatBody } from '../../formats/openai/body.js';
import { invalidField } from '../../formats/openai/body.js';
import { readMessages } from '../../formats/openai/messages.js';
import { readToolChoice, readTools } from '../../formats/openai/tools.js';
import { latin1Of } from '../../shared/byte-text.js';
import { checkFields } from './fields.js';
import { unsupported } from '../openai-chat/refuse.js';
import { toConverseConversation } from './messages.js';
import { thinkingFor, type Thinking } from './thinking.js';
import { toolConfigJson } from './tool-config.js';

export interface ConverseBody {
  body: Buffer;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
  thinking: Thinking | undefined;
  /** model.options overrides left out so that Bedrock accepts the body. */
  skippedOptions: string[];
}

const NO_TOOLS = { tools: [], others: [] };

export function toConverseBody(chat: ChatBody, model: string, options: ModelOptions | undefined): ConverseBody {
  const fields = chat.fields;
  checkFields(fields, chat.members);
  const conversation = toConverseConversation(readMessages(chat.members.get('messages')!));
  if (conversation.turns.length === 0) throw invalidField('messages', 'needs a user message besides system and developer messages');
  const rawTools = chat.members.get('tools');
  const { tools, others } = rawTools === undefined || rawTools === 'null' ? NO_TOOLS : readTools(rawTools);
  const choice = readToolChoice(fields.get('tool_choice'));
  const skippedOptions: string[] = [];

  const completionTokens = fields.get('max_completion_tokens');
  const maxField = completionTokens !== undefined && completionTokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const clientMax = positiveInteger(fields.get(maxField), maxField);
  let maxTokens = options?.max_tokens ?? clientMax;
  // Inside a tool loop Claude wants the previous turn's signed thinking back, which Chat Completions
  // messages can't carry: that turn goes without thinking (checked, then left out).
  let thinking = thinkingFor(fields.get('reasoning_effort'), model, maxTokens, options?.max_tokens !== undefined ? 'model.options.max_tokens' : maxField);
  if (conversation.inToolLoop) thinking = undefined;
  if (thinking !== undefined) maxTokens = thinking.maxTokens;

  const inference: Record<string, unknown> = {};
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  const temperature = sampling(fields.get('temperature'), 'temperature');
  const topP = sampling(fields.get('top_p'), 'top_p');
  const setTemperature = options?.temperature !== undefined && !(thinking !== undefined && skip(skippedOptions, 'temperature'));
  const setTopP = options?.top_p !== undefined && !(thinking !== undefined && options.top_p < 0.95 && skip(skippedOptions, 'top_p'));
  if (setTemperature) inference.temperature = options!.temperature;
  else if (temperature !== undefined && !setTopP) {
    if (thinking !== undefined && temperature !== 1) throw unsupported('temperature', 'reasoning on Claude takes no temperature but 1');
    inference.temperature = temperature;
  }
  if (setTopP) inference.topP = options!.top_p;
  // top_p 1 changes nothing, and Claude 4.5 refuses temperature and top_p together.
  else if (topP !== undefined && topP !== 1 && !setTemperature) {
    if (thinking !== undefined && topP < 0.95) throw unsupported('top_p', 'reasoning on Claude takes top_p of 0.95 or more');
    inference.topP = topP;
  }
  const stop = stopSequences(fields.get('stop'));
  if (stop !== undefined) inference.stopSequences = stop;

  const additional: Record<string, unknown> = {};
  if (thinking !== undefined) {
    if (choice?.kind === 'required' || choice?.kind === 'function') throw unsupported('tool_choice', 'reasoning on Claude does not force a tool: use auto');
    additional.thinking = { type: 'enabled', budget_tokens: thinking.budget };
  }
  if (options?.top_k !== undefined) {
    if (thinking !== undefined) skip(skippedOptions, 'top_k');
    else additional.top_k = options.top_k;
  }

  let out = `{"messages":[${conversation.turns.map((turn) => `{"role":"${turn.role}","content":[${turn.blocks.join(',')}]}`).join(',')}]`;
  if (conversation.system.length > 0) out += `,"system":[${conversation.system.join(',')}]`;
  if (Object.keys(inference).length > 0) out += `,"inferenceConfig":${latin1Of(JSON.stringify(inference))}`;
  const toolConfig = toolConfigJson({ tools, others, choice, usedTools: conversation.usedTools });
  if (toolConfig !== undefined) out += `,"toolConfig":${toolConfig}`;
  if (Object.keys(additional).length > 0) out += `,"additionalModelRequestFields":${JSON.stringify(additional)}`;
  const output = outputConfig(fields.get('response_format'));
  if (output !== undefined) out += `,"outputConfig":${latin1Of(output)}`;
  out += '}';

  const streamOptions = fields.get('stream_options');
  const includeUsage = typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as { include_usage?: unknown }).include_usage === true;
  return { body: Buffer.from(out, 'latin1'), includeUsage, thinking, skippedOptions };
}

function skip(skipped: string[], name: string): true {
  skipped.push(name);
  return true;
}

function positiveInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw invalidField(field, 'expected a positive integer');
  return value as number;
}

/** temperature and top_p: Converse takes 0–1 (OpenAI's temperature goes to 2). */
function sampling(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || value < 0 || value > 1) throw invalidField(field, 'Bedrock Converse takes a number from 0 to 1');
  return value;
}

function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw invalidField('stop', 'expected a string or an array of strings');
  const kept = (list as string[]).filter((s) => s !== '');
  return kept.length > 0 ? kept : undefined;
}

/** `response_format` → `outputConfig` JSON (real text), undefined for plain text. */
function outputConfig(format: unknown): string | undefined {
  if (format === undefined || format === null) return undefined;
  const { type, json_schema: spec } = format as { type?: unknown; json_schema?: { name?: unknown; description?: unknown; schema?: unknown } };
  if (type === 'text') return undefined;
  if (type === 'json_object') {
    throw unsupported('response_format', "Bedrock Converse has no JSON mode without a schema: use {type: 'json_schema', json_schema: {name, schema}}");
  }
  if (type !== 'json_schema') throw invalidField('response_format.type', "expected 'text', 'json_object' or 'json_schema'");
  const schema = spec?.schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw invalidField('response_format.json_schema.schema', 'expected a JSON schema object');
  const jsonSchema: Record<string, unknown> = { schema: JSON.stringify(schema) };
  if (typeof spec?.name === 'string' && spec.name !== '') jsonSchema.name = spec.name;
  if (typeof spec?.description === 'string' && spec.description !== '') jsonSchema.description = spec.description;
  return JSON.stringify({ textFormat: { type: 'json_schema', structure: { jsonSchema } } });
}
