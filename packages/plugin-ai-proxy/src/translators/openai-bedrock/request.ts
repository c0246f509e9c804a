/**
 * A Chat Completions request → a Converse body (`/model/<id>/converse[-stream]`). Built as latin1 JSON text
 * around the client's own string literals and schemas (text/byte-text.ts), so the bulk of an agent's body
 * (system prompt, tool schemas, history) is copied, never decoded and re-encoded. Field by field, see
 * fields.ts; messages, messages.ts; tools, tool-config.ts.
 * Sampling and reasoning as every Claude backend reads them: ../openai-chat/sampling.ts.
 */
import type { ModelOptions } from '../../config/types.js';
import type { ChatBody } from '../../formats/openai/body.js';
import { invalidField } from '../../formats/openai/body.js';
import { readMessages } from '../../formats/openai/messages.js';
import { readToolChoice, readTools } from '../../formats/openai/tools.js';
import { latin1Of } from '../../text/byte-text.js';
import { checkFields } from './fields.js';
import { claudeSampling, includeUsage, jsonSchemaFormat } from '../openai-chat/sampling.js';
import type { Thinking } from '../openai-chat/thinking.js';
import { toConverseConversation } from './messages.js';
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
  const sampling = claudeSampling(fields, model, options, { inToolLoop: conversation.inToolLoop, choice, backend: 'Bedrock Converse' });
  const { thinking } = sampling;

  const inference: Record<string, unknown> = {};
  if (sampling.maxTokens !== undefined) inference.maxTokens = sampling.maxTokens;
  if (sampling.temperature !== undefined) inference.temperature = sampling.temperature;
  if (sampling.topP !== undefined) inference.topP = sampling.topP;
  if (sampling.stop !== undefined) inference.stopSequences = sampling.stop;
  const additional: Record<string, unknown> = {};
  if (thinking !== undefined) additional.thinking = { type: 'enabled', budget_tokens: thinking.budget };
  if (sampling.topK !== undefined) additional.top_k = sampling.topK;

  let out = `{"messages":[${conversation.turns.map((turn) => `{"role":"${turn.role}","content":[${turn.blocks.join(',')}]}`).join(',')}]`;
  if (conversation.system.length > 0) out += `,"system":[${conversation.system.join(',')}]`;
  if (Object.keys(inference).length > 0) out += `,"inferenceConfig":${latin1Of(JSON.stringify(inference))}`;
  const toolConfig = toolConfigJson({ tools, others, choice, usedTools: conversation.usedTools });
  if (toolConfig !== undefined) out += `,"toolConfig":${toolConfig}`;
  if (Object.keys(additional).length > 0) out += `,"additionalModelRequestFields":${JSON.stringify(additional)}`;
  const output = outputConfig(fields.get('response_format'));
  if (output !== undefined) out += `,"outputConfig":${latin1Of(output)}`;
  out += '}';
  return { body: Buffer.from(out, 'latin1'), includeUsage: includeUsage(fields), thinking, skippedOptions: sampling.skippedOptions };
}

/** `response_format` → `outputConfig` JSON (real text), undefined for plain text. */
function outputConfig(format: unknown): string | undefined {
  const spec = jsonSchemaFormat(format, 'Bedrock Converse');
  if (spec === undefined) return undefined;
  const jsonSchema: Record<string, unknown> = { schema: JSON.stringify(spec.schema) };
  if (spec.name !== undefined) jsonSchema.name = spec.name;
  if (spec.description !== undefined) jsonSchema.description = spec.description;
  return JSON.stringify({ textFormat: { type: 'json_schema', structure: { jsonSchema } } });
}
