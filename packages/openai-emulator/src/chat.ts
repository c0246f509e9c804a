// Chat Completions answers, whole (`chat.completion`) and as `chat.completion.chunk` SSE events, built
// from the request and its scenario. Usage is counted the way OpenAI reports it: prompt_tokens is the
// whole prompt, cached_tokens the part of it read from the cache, reasoning_tokens part of completion_tokens.
import { randomBytes } from 'node:crypto';
import type { ScenarioName } from './scenarios.js';
import { stripMarker } from './scenarios.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Answer {
  text: string | null;
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'tool_calls' | 'length';
  usage: Usage;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export const GREETING = 'Hello from the OpenAI emulator.';
const tokens = (text: string) => Math.max(1, Math.ceil(Buffer.byteLength(text) / 4));

/** The text of a message's content (a string, or the text parts of an array). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

export function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isObject(message) && message.role === 'user') return contentText(message.content);
  }
  return '';
}

/** `gpt-4o-mini` answers as `gpt-4o-mini-2024-07-18`: a dated snapshot, as OpenAI reports the model. */
export function snapshotOf(model: string): string {
  return /-\d{4}-\d{2}-\d{2}$/.test(model) ? model : `${model}-2024-07-18`;
}

export const completionId = () => `chatcmpl-${randomBytes(15).toString('base64url')}`;

export function buildAnswer(body: Json, scenario: ScenarioName): Answer {
  const messages = body.messages as unknown[];
  const last = messages.at(-1);
  const prompt = tokens(JSON.stringify(messages) + JSON.stringify(body.tools ?? ''));
  let text: string | null = GREETING;
  let toolCalls: ToolCall[] = [];
  let finishReason: Answer['finishReason'] = 'stop';
  let reasoning = 0;
  let cached = 0;
  if (isObject(last) && last.role === 'tool') {
    text = `The tool said: ${contentText(last.content)}`;
  } else if (scenario === 'echo' || scenario === 'slow') {
    text = stripMarker(lastUserText(messages)) || GREETING;
  } else if (scenario === 'tool_use') {
    toolCalls = [toolCallFor(body.tools)];
    text = null;
    finishReason = 'tool_calls';
  } else if (scenario === 'reasoning') {
    text = 'Thought it through: 42.';
    reasoning = 64;
    cached = Math.floor(prompt / 2);
  } else if (scenario === 'length') {
    text = 'This answer stops at the limit';
    finishReason = 'length';
  }
  const completion = tokens((text ?? '') + toolCalls.map((call) => call.name + call.arguments).join('')) + reasoning;
  return {
    text,
    toolCalls,
    finishReason,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
}

/** A call of the first function tool, its required string arguments filled in. */
function toolCallFor(tools: unknown): ToolCall {
  const first = Array.isArray(tools) ? tools.find((tool) => isObject(tool) && isObject(tool.function)) : undefined;
  const fn = isObject(first) && isObject(first.function) ? first.function : { name: 'get_weather' };
  const schema = isObject(fn.parameters) ? fn.parameters : {};
  const args: Json = {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const name of required) args[String(name)] = 'echo ok';
  return { id: `call_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`, name: String(fn.name), arguments: JSON.stringify(args) };
}

export interface Envelope {
  id: string;
  created: number;
  model: string;
}

export function completionJson(answer: Answer, envelope: Envelope): string {
  const message: Json = { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  return JSON.stringify({
    ...envelope,
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: answer.usage,
    service_tier: 'default',
    system_fingerprint: 'fp_emulator',
  });
}

/** Pieces of the answer's text, a word each (with its leading space), as OpenAI streams tokens. */
export function textPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

/** The answer as SSE `data:` events (each ends with a blank line), `[DONE]` last. */
export function streamEvents(answer: Answer, envelope: Envelope, includeUsage: boolean): string[] {
  const head = { ...envelope, object: 'chat.completion.chunk', service_tier: 'default', system_fingerprint: 'fp_emulator' };
  const chunk = (delta: Json, finish: string | null = null) => {
    const event: Json = { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    // With include_usage every chunk carries `usage: null`; the last one, after the finish, the counts.
    if (includeUsage) event.usage = null;
    return `data: ${JSON.stringify(event)}\n\n`;
  };
  const events = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (answer.text !== null) for (const piece of textPieces(answer.text)) events.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    const half = Math.ceil(call.arguments.length / 2);
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (part !== '') events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  });
  events.push(chunk({}, answer.finishReason));
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...head, choices: [], usage: answer.usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}
