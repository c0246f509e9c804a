/**
 * `reasoning_effort` → Claude's extended thinking (Anthropic's `thinking`; on Bedrock Converse inside
 * `additionalModelRequestFields`). Claude 3.7 Sonnet and the Claude 4 family think with a token budget: each
 * effort is a budget, bounded by the answer's max tokens (which, as OpenAI's max_completion_tokens, count
 * the reasoning too) and by Claude's minimum of 1024.
 */
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from './refuse.js';

/** Thinking budget per effort; `none` turns thinking off. */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
  max: 24576,
};

export const MIN_BUDGET = 1024;
/** Room left for the answer when the client set no max tokens. */
const ANSWER_ROOM = 8192;
/** The smallest output limit of the models that think (Claude Opus 4 and 4.1). */
const OUTPUT_CAP = 32000;

const VENDOR = /(?:^|[.:/])(amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshot|minimax|google|nvidia|twelvelabs|stability|luma)\./;
/** A Claude id on Bedrock (`…anthropic.claude-…`) or on Anthropic's API (`claude-…`). */
const CLAUDE = /(?:^|[.:/])(?:anthropic\.)?claude-/;
const THINKING_CLAUDE = /(?:^|[.:/])(?:anthropic\.)?claude-(?:3-7-|(?:sonnet|opus|haiku)-[4-9])/;

/** Whether the model thinks with a budget. An ARN (application inference profile) doesn't say: Bedrock will. */
export function modelThinks(model: string): boolean {
  if (CLAUDE.test(model)) return THINKING_CLAUDE.test(model);
  return !VENDOR.test(model);
}

export interface Thinking {
  budget: number;
  maxTokens: number;
}

/**
 * The budget and max tokens for `effort` (undefined: thinking off). `maxTokens` is the limit the request
 * already has (the client's, or model.options'), if any.
 */
export function thinkingFor(effort: unknown, model: string, maxTokens: number | undefined, maxTokensField: string): Thinking | undefined {
  if (effort === undefined || effort === null || effort === 'none') return undefined;
  if (typeof effort !== 'string' || !(effort in THINKING_BUDGETS)) {
    throw invalidField('reasoning_effort', `expected one of none, ${Object.keys(THINKING_BUDGETS).join(', ')}`);
  }
  if (!modelThinks(model)) throw unsupported('reasoning_effort', `model '${model}' has no extended thinking`);
  const wanted = THINKING_BUDGETS[effort]!;
  if (maxTokens === undefined) return { budget: wanted, maxTokens: Math.min(wanted + ANSWER_ROOM, OUTPUT_CAP) };
  const budget = Math.min(wanted, maxTokens - 1);
  if (budget < MIN_BUDGET) throw invalidField(maxTokensField, `reasoning on Claude needs more than ${MIN_BUDGET} tokens (its smallest thinking budget); got ${maxTokens}`);
  return { budget, maxTokens };
}
