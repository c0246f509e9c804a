/**
 * What a Chat Completions request asks of Claude's sampling, whichever backend serves it (Bedrock Converse
 * and Anthropic take the same values under other names): max tokens, temperature, top_p, top_k, stop
 * sequences, reasoning (thinking.ts), a JSON schema for the answer, the stream's usage chunk.
 *
 * model.options overrides apply as Kong applies them (the configured value wins over the request's), except
 * where Claude would refuse the result: with thinking on, a configured temperature, top_k or a top_p below
 * 0.95 is skipped (reported in `skippedOptions`), as for Anthropic-format clients.
 */
import type { ModelOptions } from '../../config/types.js';
import { invalidField } from '../../formats/openai/body.js';
import type { ToolChoice } from '../../formats/openai/tools.js';
import { unsupported } from './refuse.js';
import { thinkingFor, type Thinking } from './thinking.js';

export interface ClaudeSampling {
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  topK: number | undefined;
  stop: string[] | undefined;
  thinking: Thinking | undefined;
  /** model.options overrides left out so that the backend accepts the body. */
  skippedOptions: string[];
}

export interface SamplingContext {
  /** The conversation is inside a tool loop (thinking is left out: see below). */
  inToolLoop: boolean;
  choice: ToolChoice | undefined;
  /** The backend's name, for messages (`Bedrock Converse`, `Anthropic`). */
  backend: string;
}

export function claudeSampling(fields: ReadonlyMap<string, unknown>, model: string, options: ModelOptions | undefined, context: SamplingContext): ClaudeSampling {
  const skippedOptions: string[] = [];
  const completionTokens = fields.get('max_completion_tokens');
  const maxField = completionTokens !== undefined && completionTokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const clientMax = positiveInteger(fields.get(maxField), maxField);
  let maxTokens = options?.max_tokens ?? clientMax;
  // Inside a tool loop Claude wants the previous turn's signed thinking back, which Chat Completions
  // messages can't carry: that turn goes without thinking (checked, then left out).
  let thinking = thinkingFor(fields.get('reasoning_effort'), model, maxTokens, options?.max_tokens !== undefined ? 'model.options.max_tokens' : maxField);
  if (context.inToolLoop) thinking = undefined;
  if (thinking !== undefined) maxTokens = thinking.maxTokens;

  let temperature: number | undefined;
  let topP: number | undefined;
  const asked = { temperature: range(fields.get('temperature'), 'temperature', context.backend), topP: range(fields.get('top_p'), 'top_p', context.backend) };
  const setTemperature = options?.temperature !== undefined && !(thinking !== undefined && skip(skippedOptions, 'temperature'));
  const setTopP = options?.top_p !== undefined && !(thinking !== undefined && options.top_p < 0.95 && skip(skippedOptions, 'top_p'));
  if (setTemperature) temperature = options!.temperature;
  else if (asked.temperature !== undefined && !setTopP) {
    if (thinking !== undefined && asked.temperature !== 1) throw unsupported('temperature', 'reasoning on Claude takes no temperature but 1');
    temperature = asked.temperature;
  }
  // top_p 1 changes nothing, and Claude 4.5 refuses temperature and top_p together: a configured 1 wins
  // over the client's top_p and is left out too (Kong's Anthropic test config sets it beside a temperature).
  if (setTopP) topP = options!.top_p === 1 ? undefined : options!.top_p;
  else if (asked.topP !== undefined && asked.topP !== 1 && !setTemperature) {
    if (thinking !== undefined && asked.topP < 0.95) throw unsupported('top_p', 'reasoning on Claude takes top_p of 0.95 or more');
    topP = asked.topP;
  }
  if (thinking !== undefined && (context.choice?.kind === 'required' || context.choice?.kind === 'function')) {
    throw unsupported('tool_choice', 'reasoning on Claude does not force a tool: use auto');
  }
  let topK: number | undefined;
  if (options?.top_k !== undefined) {
    if (thinking !== undefined) skip(skippedOptions, 'top_k');
    else topK = options.top_k;
  }
  return { maxTokens, temperature, topP, topK, stop: stopSequences(fields.get('stop')), thinking, skippedOptions };
}

/** `stream_options.include_usage`: end the stream with a usage chunk. */
export function includeUsage(fields: ReadonlyMap<string, unknown>): boolean {
  const options = fields.get('stream_options');
  return typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}

export interface JsonSchemaFormat {
  schema: Record<string, unknown>;
  name: string | undefined;
  description: string | undefined;
}

/** `response_format` json_schema; undefined for plain text; json_object refused (Claude has no JSON mode without a schema). */
export function jsonSchemaFormat(format: unknown, backend: string): JsonSchemaFormat | undefined {
  if (format === undefined || format === null) return undefined;
  const { type, json_schema: spec } = format as { type?: unknown; json_schema?: { name?: unknown; description?: unknown; schema?: unknown } };
  if (type === 'text') return undefined;
  if (type === 'json_object') {
    throw unsupported('response_format', `${backend} has no JSON mode without a schema: use {type: 'json_schema', json_schema: {name, schema}}`);
  }
  if (type !== 'json_schema') throw invalidField('response_format.type', "expected 'text', 'json_object' or 'json_schema'");
  const schema = spec?.schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw invalidField('response_format.json_schema.schema', 'expected a JSON schema object');
  return {
    schema: schema as Record<string, unknown>,
    name: typeof spec?.name === 'string' && spec.name !== '' ? spec.name : undefined,
    description: typeof spec?.description === 'string' && spec.description !== '' ? spec.description : undefined,
  };
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

/** temperature and top_p: Claude takes 0–1 (OpenAI's temperature goes to 2). */
function range(value: unknown, field: string, backend: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || value < 0 || value > 1) throw invalidField(field, `${backend} takes a number from 0 to 1`);
  return value;
}

function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw invalidField('stop', 'expected a string or an array of strings');
  const kept = (list as string[]).filter((s) => s !== '');
  return kept.length > 0 ? kept : undefined;
}
