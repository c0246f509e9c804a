// Converse in and out of the emulator's scripted replies: a Converse request read as the Anthropic-shaped
// conversation the scenarios know (conversation.ts, replies.ts), and a planned reply written back as a
// Converse answer or as ConverseStream's events.
import { randomBytes } from 'node:crypto';
import type { AnthropicMessage, ContentBlock } from '../messages.js';
import { jsonPieces, textPieces } from '../messages.js';
import { schemaInstance } from './structured.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Converse's ids look like `tooluse_kZJMlvQmRJ6eAyJE5GIl7Q`. */
export const newConverseToolUseId = () => `tooluse_${randomBytes(16).toString('base64url').slice(0, 22)}`;

function blockView(block: unknown): Json {
  if (!isObject(block)) return { type: 'other' };
  if (typeof block.text === 'string') return { type: 'text', text: block.text };
  if (isObject(block.toolResult)) {
    const parts = Array.isArray(block.toolResult.content) ? block.toolResult.content : [];
    const text = parts.map((p) => (isObject(p) ? (typeof p.text === 'string' ? p.text : p.json !== undefined ? JSON.stringify(p.json) : '') : '')).join('\n');
    return { type: 'tool_result', tool_use_id: block.toolResult.toolUseId, content: text };
  }
  if (isObject(block.toolUse)) return { type: 'tool_use', id: block.toolUse.toolUseId, name: block.toolUse.name, input: block.toolUse.input };
  return { type: 'other' };
}

/** The request as the scenarios read it: messages, max_tokens, the tools offered. */
export function scenarioView(request: Json): Json {
  const messages = Array.isArray(request.messages)
    ? request.messages.map((m) => (isObject(m) ? { role: m.role, content: Array.isArray(m.content) ? m.content.map(blockView) : [] } : m))
    : [];
  const inference = isObject(request.inferenceConfig) ? request.inferenceConfig : {};
  const tools = isObject(request.toolConfig) && Array.isArray(request.toolConfig.tools)
    ? request.toolConfig.tools.flatMap((t) => (isObject(t) && isObject(t.toolSpec) ? [{ name: t.toolSpec.name, input_schema: (t.toolSpec.inputSchema as Json | undefined)?.json }] : []))
    : undefined;
  return { messages, max_tokens: inference.maxTokens, ...(tools ? { tools } : {}) };
}

/** The JSON schema of `outputConfig.textFormat`, when the request asked for structured output. */
export function structuredSchema(request: Json): unknown {
  const format = isObject(request.outputConfig) ? request.outputConfig.textFormat : undefined;
  const schema = isObject(format) && isObject(format.structure) && isObject(format.structure.jsonSchema) ? format.structure.jsonSchema.schema : undefined;
  return typeof schema === 'string' ? JSON.parse(schema) : undefined;
}

/** Converse's ids and, for a structured-output request, text that is an instance of its schema. */
export function converseReply(message: AnthropicMessage, schema: unknown): AnthropicMessage {
  const content = message.content.map((block): ContentBlock => {
    if (block.type === 'tool_use') return { ...block, id: newConverseToolUseId() };
    if (block.type === 'text' && schema !== undefined) return { ...block, text: JSON.stringify(schemaInstance(schema)) };
    return block;
  });
  return { ...message, content };
}

export function converseUsage(message: AnthropicMessage): Json {
  const { input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens } = message.usage;
  const usage: Json = {
    inputTokens: input_tokens,
    outputTokens: output_tokens,
    totalTokens: input_tokens + output_tokens + cache_read_input_tokens + cache_creation_input_tokens,
  };
  if (cache_read_input_tokens || cache_creation_input_tokens) {
    usage.cacheReadInputTokens = cache_read_input_tokens;
    usage.cacheWriteInputTokens = cache_creation_input_tokens;
  }
  return usage;
}

function converseBlock(block: ContentBlock): Json {
  switch (block.type) {
    case 'text':
      return { text: block.text };
    case 'tool_use':
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input } };
    case 'thinking':
      return { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } };
  }
}

/** A Converse answer. */
export function converseResponse(message: AnthropicMessage, latencyMs: number): Json {
  return {
    output: { message: { role: 'assistant', content: message.content.map(converseBlock) } },
    stopReason: message.stop_reason,
    usage: converseUsage(message),
    metrics: { latencyMs },
  };
}

export interface ConverseEvent {
  type: string;
  payload: Json;
}

/** ConverseStream's events for a reply, without the final `metadata` (its latency is known only at the end). */
export function converseEvents(message: AnthropicMessage): ConverseEvent[] {
  const events: ConverseEvent[] = [{ type: 'messageStart', payload: { role: 'assistant' } }];
  message.content.forEach((block, contentBlockIndex) => {
    const delta = (d: Json) => events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: d } });
    if (block.type === 'text') {
      for (const text of textPieces(block.text)) delta({ text });
    } else if (block.type === 'thinking') {
      for (const text of textPieces(block.thinking)) delta({ reasoningContent: { text } });
      delta({ reasoningContent: { signature: block.signature } });
    } else {
      events.push({ type: 'contentBlockStart', payload: { contentBlockIndex, start: { toolUse: { toolUseId: block.id, name: block.name } } } });
      for (const input of jsonPieces(JSON.stringify(block.input))) delta({ toolUse: { input } });
    }
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex } });
  });
  events.push({ type: 'messageStop', payload: { stopReason: message.stop_reason } });
  return events;
}

export function metadataEvent(message: AnthropicMessage, latencyMs: number): ConverseEvent {
  return { type: 'metadata', payload: { usage: converseUsage(message), metrics: { latencyMs } } };
}
