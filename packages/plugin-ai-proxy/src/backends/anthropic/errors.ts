/**
 * An Anthropic API error answer (`{"type":"error","error":{"type","message"}}`) → the neutral error, for a
 * client that speaks another format (Anthropic-format clients get Anthropic's body as it came). The
 * message is redacted like Bedrock's.
 */
import type { HeaderMap } from '@gw/plugin-api';
import type { AiError } from '../../errors.js';
import { anthropicErrorOf } from '../../formats/anthropic/errors.js';
import { safeUpstreamMessage } from '../bedrock/errors.js';

export function takeAnthropicError(status: number, _headers: HeaderMap, body: string): { error: AiError; upstreamType: string | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const error = parsed !== null && typeof parsed === 'object' ? (parsed as { error?: unknown }).error : undefined;
  const neutral = anthropicErrorOf(error, status);
  const type = error !== null && typeof error === 'object' ? (error as { type?: unknown }).type : undefined;
  return {
    error: { ...neutral, message: safeUpstreamMessage(neutral.message === '' ? 'upstream error without a message' : neutral.message) },
    upstreamType: typeof type === 'string' ? type : undefined,
  };
}
