/**
 * An OpenAI (or OpenAI-compatible) error answer → the neutral error (errors.ts). OpenAI's statuses already
 * mean what clients' retry logic expects (429 and 5xx retried, 4xx not), so the kind follows the status.
 * One exception: a 401 or 403 for the gateway's own key (auth configured in gw) is gw's misconfiguration,
 * not the client's: it becomes `permission`, 403 (a 401 would make the client think its gateway key is
 * wrong, and some refresh and retry it). The message is redacted like Bedrock's (OpenAI masks keys, other
 * servers may not).
 */
import type { HeaderMap } from '@gw/plugin-api';
import { kindForStatus, type AiError } from '../../errors.js';
import { safeUpstreamMessage } from '../bedrock/errors.js';

export interface OpenAiErrorDetail {
  type: string | undefined;
  param: string | undefined;
  code: string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `{"error":{"message","type","param","code"}}`, or what an OpenAI-compatible server sent instead. */
export function parseOpenAiError(body: string): { message: string; detail: OpenAiErrorDetail } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const error = isObject(parsed) ? (isObject(parsed.error) ? parsed.error : parsed) : {};
  const message = text(error.message) ?? (typeof parsed === 'string' ? parsed : undefined) ?? 'upstream error without a message';
  return {
    message: safeUpstreamMessage(message),
    detail: { type: text(error.type), param: text(error.param), code: text(error.code) ?? (typeof error.code === 'number' ? String(error.code) : undefined) },
  };
}

/** The reader for errorAnswer (phases/error-answer.ts); `gatewayKey` from the plan. */
export function openaiErrorReader(gatewayKey: boolean) {
  return (status: number, _headers: HeaderMap, body: string): { error: AiError; upstreamType: string | undefined } => {
    const { message, detail } = parseOpenAiError(body);
    const credentials = gatewayKey && (status === 401 || status === 403);
    const error: AiError = credentials
      ? { status: 403, kind: 'permission', message: `the gateway's OpenAI credentials were refused: ${message}` }
      : { status: status >= 400 ? status : 502, kind: kindForStatus(status >= 400 ? status : 502), message };
    return { error, upstreamType: detail.code ?? detail.type };
  };
}
