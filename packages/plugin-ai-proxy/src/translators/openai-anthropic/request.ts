/**
 * A Chat Completions request → an Anthropic Messages body, built as latin1 JSON text around the client's own
 * string literals and schemas (text/byte-text.ts): system prompt, history and tool schemas are copied,
 * never decoded and re-encoded. Fields: fields.ts; messages: messages.ts; tools: tools.ts; sampling and
 * reasoning as for every Claude backend: ../openai-chat/sampling.ts.
 */
import type { PlanInput, Planned } from '../translator.js';
import type { ChatBody } from '../../formats/openai/body.js';
import { invalidField } from '../../formats/openai/body.js';
import { readMessages } from '../../formats/openai/messages.js';
import { readToolChoice, readTools } from '../../formats/openai/tools.js';
import { latin1Of } from '../../text/byte-text.js';
import type { ModelOptions } from '../../config/types.js';
import { planAnthropicCall, type AnthropicPlan } from '../../backends/anthropic/plan.js';
import { claudeSampling, includeUsage, jsonSchemaFormat } from '../openai-chat/sampling.js';
import { checkFields } from './fields.js';
import { toAnthropicConversation } from './messages.js';
import { anthropicTools } from './tools.js';

/** Anthropic requires max_tokens; OpenAI's default is the model's limit. Every Claude model can answer this much. */
export const DEFAULT_MAX_TOKENS = 4096;

export interface OpenAiAnthropicPlan extends AnthropicPlan {
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
}

const NO_TOOLS = { tools: [], others: [] };

export function planOpenAiToAnthropic(input: PlanInput<ChatBody>): Planned<OpenAiAnthropicPlan> {
  const body = toMessagesBody(input.body, input.model, input.stream, input.config.model.options);
  const plan = planAnthropicCall({ config: input.config, operation: 'messages', body, query: input.request.query, clientHeaders: input.request.headers });
  return { plan: { ...plan, includeUsage: includeUsage(input.body.fields) }, sent: body };
}

export function toMessagesBody(chat: ChatBody, model: string, stream: boolean, options: ModelOptions | undefined): Buffer {
  const fields = chat.fields;
  checkFields(fields, chat.members);
  const conversation = toAnthropicConversation(readMessages(chat.members.get('messages')!));
  if (conversation.turns.length === 0) throw invalidField('messages', 'needs a user message besides system and developer messages');
  const rawTools = chat.members.get('tools');
  const { tools, others } = rawTools === undefined || rawTools === 'null' ? NO_TOOLS : readTools(rawTools);
  const choice = readToolChoice(fields.get('tool_choice'));
  const sampling = claudeSampling(fields, model, options, { inToolLoop: conversation.inToolLoop, choice, backend: 'Anthropic' });

  let out = `{"model":${latin1Of(JSON.stringify(model))},"max_tokens":${sampling.maxTokens ?? DEFAULT_MAX_TOKENS}`;
  out += `,"messages":[${conversation.turns.map((turn) => `{"role":"${turn.role}","content":[${turn.blocks.join(',')}]}`).join(',')}]`;
  if (conversation.system.length > 0) out += `,"system":[${conversation.system.join(',')}]`;
  const small: Record<string, unknown> = {};
  if (sampling.temperature !== undefined) small.temperature = sampling.temperature;
  if (sampling.topP !== undefined) small.top_p = sampling.topP;
  if (sampling.topK !== undefined) small.top_k = sampling.topK;
  if (sampling.stop !== undefined) small.stop_sequences = sampling.stop;
  if (sampling.thinking !== undefined) small.thinking = { type: 'enabled', budget_tokens: sampling.thinking.budget };
  const format = jsonSchemaFormat(fields.get('response_format'), 'Anthropic');
  if (format !== undefined) small.output_config = { format: { type: 'json_schema', schema: format.schema } };
  const user = fields.get('user');
  if (user !== undefined && user !== null) {
    if (typeof user !== 'string') throw invalidField('user', 'expected a string');
    if (user !== '') small.metadata = { user_id: user };
  }
  for (const [name, value] of Object.entries(small)) out += `,"${name}":${latin1Of(JSON.stringify(value))}`;
  const toolMembers = anthropicTools({ tools, others, choice, parallel: fields.get('parallel_tool_calls'), usedTools: conversation.usedTools });
  if (toolMembers.tools !== undefined) out += `,"tools":${toolMembers.tools}`;
  if (toolMembers.choice !== undefined) out += `,"tool_choice":${toolMembers.choice}`;
  if (stream) out += ',"stream":true';
  return Buffer.from(`${out}}`, 'latin1');
}
