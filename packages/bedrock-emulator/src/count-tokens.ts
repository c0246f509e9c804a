// CountTokens: an estimate of the input tokens of the request it wraps.
import type { BedrockError } from './errors.js';
import { validationError } from './errors.js';
import { parseJson } from './http-io.js';
import { estimateTokens } from './messages.js';
import { validateAnthropicBody } from './validate.js';

/** CountTokens wraps the InvokeModel body, base64-encoded, in `input.invokeModel.body`. */
export function countTokens(json: unknown): { inputTokens: number } | BedrockError {
  const input = (json as { input?: { invokeModel?: { body?: unknown }; converse?: unknown } } | undefined)?.input;
  if (typeof input?.invokeModel?.body === 'string') {
    const inner = Buffer.from(input.invokeModel.body, 'base64');
    const problem = validateAnthropicBody(parseJson(inner));
    return problem ? validationError(problem) : { inputTokens: estimateTokens(inner.length) };
  }
  if (input?.converse && typeof input.converse === 'object') {
    return { inputTokens: estimateTokens(Buffer.byteLength(JSON.stringify(input.converse))) };
  }
  return validationError('Malformed input request: #/input: required key [invokeModel] not found, please reformat your input and try again.');
}
