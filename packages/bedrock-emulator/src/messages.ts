// Anthropic Messages responses and the stream events that spell them out, as Bedrock returns them.
import { createHash, randomBytes } from 'node:crypto';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'end_turn' | 'tool_use' | 'max_tokens';
  stop_sequence: null;
  usage: Usage;
}

/** A crude but deterministic token estimate: about four bytes per token. */
export const estimateTokens = (byteLength: number) => Math.max(1, Math.ceil(byteLength / 4));

export const newMessageId = () => `msg_bdrk_${randomBytes(12).toString('hex')}`;
export const newToolUseId = () => `toolu_bdrk_${randomBytes(12).toString('hex')}`;

/** `us.anthropic.claude-haiku-4-5-20251001-v1:0` (or an ARN ending in it) → `claude-haiku-4-5-20251001`. */
export function baseModelName(modelId: string): string {
  const tail = modelId.slice(modelId.lastIndexOf('/') + 1);
  const m = /(?:^|\.)anthropic\.(.+?)(?:-v\d+(?::\d+)?)?$/.exec(tail);
  return m ? m[1] : tail;
}

export function outputTokens(content: ContentBlock[]): number {
  const bytes = content.reduce((n, block) => {
    if (block.type === 'text') return n + Buffer.byteLength(block.text);
    if (block.type === 'thinking') return n + Buffer.byteLength(block.thinking);
    return n + Buffer.byteLength(JSON.stringify(block.input)) + block.name.length;
  }, 0);
  return estimateTokens(bytes);
}

/** A stable, signature-shaped opaque string for a thinking block. */
export function thinkingSignature(thinking: string): string {
  const digest = createHash('sha512').update(thinking).digest();
  return Buffer.concat([digest, digest]).toString('base64');
}

/** Splits text into word-sized deltas, keeping whitespace, like a model streams it. */
export function textPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [''];
}

/** Splits serialized JSON into a few uneven pieces, as `input_json_delta`s arrive. */
export function jsonPieces(json: string): string[] {
  const cuts = [0, Math.ceil(json.length / 4), Math.ceil(json.length / 2), Math.ceil((json.length * 3) / 4), json.length];
  const pieces: string[] = [];
  for (let i = 1; i < cuts.length; i++) if (cuts[i] > cuts[i - 1]) pieces.push(json.slice(cuts[i - 1], cuts[i]));
  return pieces;
}

/** The Anthropic stream events for a complete message, in wire order (without Bedrock's metrics). */
export function streamEvents(message: AnthropicMessage): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } },
    },
  ];
  message.content.forEach((block, index) => {
    const delta = (d: Record<string, unknown>) => events.push({ type: 'content_block_delta', index, delta: d });
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of textPieces(block.text)) delta({ type: 'text_delta', text });
    } else if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const thinking of textPieces(block.thinking)) delta({ type: 'thinking_delta', thinking });
      delta({ type: 'signature_delta', signature: block.signature });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const partial_json of jsonPieces(JSON.stringify(block.input))) delta({ type: 'input_json_delta', partial_json });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  return events;
}

export interface InvocationMetrics {
  inputTokenCount: number;
  outputTokenCount: number;
  invocationLatency: number;
  firstByteLatency: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

/** Bedrock appends its metrics to the final `message_stop`. */
export function messageStop(usage: Usage, invocationLatency: number, firstByteLatency: number): Record<string, unknown> {
  const metrics: InvocationMetrics = {
    inputTokenCount: usage.input_tokens,
    outputTokenCount: usage.output_tokens,
    invocationLatency,
    firstByteLatency,
  };
  if (usage.cache_read_input_tokens || usage.cache_creation_input_tokens) {
    metrics.cacheReadInputTokenCount = usage.cache_read_input_tokens;
    metrics.cacheWriteInputTokenCount = usage.cache_creation_input_tokens;
  }
  return { type: 'message_stop', 'amazon-bedrock-invocationMetrics': metrics };
}
