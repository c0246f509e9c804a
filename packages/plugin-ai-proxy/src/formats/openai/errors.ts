/**
 * Errors on the OpenAI Chat Completions wire: the neutral error (errors.ts) rendered as OpenAI's
 * `{"error":{"message","type","param","code"}}` with the status OpenAI uses for the condition. OpenAI's
 * SDKs retry by status alone (408, 409, 429 and 5xx, honouring `retry-after`): overload is 503 (Anthropic's
 * 529 would be retried too, but is no status OpenAI sends), credential trouble at Bedrock stays 403 (not
 * retried, and never 401: a client would think its own key is wrong).
 */
import { openaiTypeForStatus, renderErrorBody } from '@gw/plugin-api';
import type { AiError } from '../../errors.js';

export function openaiErrorStatus(error: AiError): number {
  return error.kind === 'overloaded' ? 503 : error.status;
}

export function openaiErrorType(error: AiError): string {
  return openaiTypeForStatus(openaiErrorStatus(error));
}

export function openaiErrorBody(error: AiError): string {
  return renderErrorBody('openai', openaiErrorStatus(error), error.message);
}

/**
 * The SSE event that ends a stream which already started: `data: {"error":{…}}`. The OpenAI SDKs throw an
 * APIError on a data line with an `error` member; nothing follows it (no finish_reason, no `[DONE]`), so no
 * client takes the cut answer for a whole one.
 */
export function openaiErrorEvent(error: AiError): Buffer {
  return Buffer.from(`data: ${openaiErrorBody(error)}\n\n`, 'utf8');
}
