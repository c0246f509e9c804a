/**
 * The Chat Completions stream writer: each event is one `chat.completion.chunk` as an SSE `data:` line.
 * The envelope (id, created, model) is encoded once per stream; a text delta's JSON string literal, as a
 * pair found it in the upstream's bytes, is spliced between envelope pieces without being decoded.
 */
import type { TokenUsage } from '../../usage.js';
import { openaiUsage } from './usage.js';

const CONTENT_OPEN = Buffer.from('{"content":', 'latin1');
/** Closes the delta and the choice of a chunk that doesn't end the answer. */
const OPEN_CHOICE_END = Buffer.from('},"logprobs":null,"finish_reason":null}]}\n\n', 'latin1');
const CHOICE_END = Buffer.from(',"logprobs":null,"finish_reason":null}]}\n\n', 'latin1');

export interface ChunkWriter {
  /** The first chunk: the assistant's role and empty content, as OpenAI starts every stream. */
  role(): Buffer;
  /** A text delta from a JSON string literal (quotes included), as bytes to send in order. */
  textLiteral(literal: Buffer): Buffer[];
  /** A text delta from real text. */
  text(text: string): Buffer;
  /** A reasoning (thinking) delta, as `reasoning_content`. */
  reasoning(text: string): Buffer;
  /** A tool call's first chunk: its index among the answer's tool calls, id and name. */
  toolCallStart(index: number, id: string, name: string): Buffer;
  /** More of a tool call's arguments (JSON text, in pieces). */
  toolCallArguments(index: number, partial: string): Buffer;
  /** The chunk that ends the choice. */
  finish(reason: string): Buffer;
  /** `stream_options.include_usage`: the last chunk, no choices, the usage. */
  usage(usage: TokenUsage): Buffer;
}

export function chunkWriter(id: string, created: number, model: string): ChunkWriter {
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},`;
  const prefix = Buffer.from(`${head}"choices":[{"index":0,"delta":`, 'utf8');
  const delta = (json: string) => Buffer.concat([prefix, Buffer.from(json, 'utf8'), CHOICE_END]);
  return {
    role: () => delta('{"role":"assistant","content":""}'),
    textLiteral: (literal) => [prefix, CONTENT_OPEN, literal, OPEN_CHOICE_END],
    text: (text) => delta(`{"content":${JSON.stringify(text)}}`),
    reasoning: (text) => delta(`{"reasoning_content":${JSON.stringify(text)}}`),
    toolCallStart: (index, callId, name) =>
      delta(JSON.stringify({ tool_calls: [{ index, id: callId, type: 'function', function: { name, arguments: '' } }] })),
    toolCallArguments: (index, partial) => delta(JSON.stringify({ tool_calls: [{ index, function: { arguments: partial } }] })),
    finish: (reason) => Buffer.from(`${head}"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":${JSON.stringify(reason)}}]}\n\n`, 'utf8'),
    usage: (usage) => Buffer.from(`${head}"choices":[],"usage":${JSON.stringify(openaiUsage(usage))}}\n\n`, 'utf8'),
  };
}
