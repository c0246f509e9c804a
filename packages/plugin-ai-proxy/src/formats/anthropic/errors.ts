/**
 * Errors on the Anthropic Messages wire: the neutral error (errors.ts) rendered as Anthropic's
 * `{"type":"error","error":{"type","message"}}` with the status Claude Code's retry logic expects, and an
 * Anthropic error object (a body or an `error` event, from any backend that speaks this wire) read back.
 */
import type { AnthropicErrorType } from '@gw/plugin-api';
import { kindForStatus, type AiError, type ErrorKind } from '../../errors.js';

const TYPE_OF: Readonly<Record<ErrorKind, AnthropicErrorType>> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  overloaded: 'overloaded_error',
  server: 'api_error',
};

/** Anthropic's documented status for each of its types. */
const STATUS_OF: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

const KIND_OF: Readonly<Record<string, ErrorKind>> = Object.fromEntries(Object.entries(TYPE_OF).map(([kind, type]) => [type, kind as ErrorKind]));

export function anthropicErrorType(error: AiError): AnthropicErrorType {
  return TYPE_OF[error.kind];
}

/** 529 for overload, as Anthropic answers it (Claude Code retries it as such); else the backend's status. */
export function anthropicErrorStatus(error: AiError): number {
  return error.kind === 'overloaded' ? 529 : error.status;
}

export function anthropicErrorJson(type: AnthropicErrorType | string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

export function anthropicErrorBody(error: AiError): string {
  return anthropicErrorJson(anthropicErrorType(error), error.message);
}

/** The SSE `error` event that ends a stream which already started. */
export function anthropicErrorEvent(error: AiError): Buffer {
  return Buffer.from(`event: error\ndata: ${anthropicErrorBody(error)}\n\n`, 'utf8');
}

/**
 * An Anthropic error object (`{type, message}` inside a body or an `error` event) as a neutral error.
 * `status` is the HTTP status it came with, when it came with one; an unknown type goes by that status.
 */
export function anthropicErrorOf(error: unknown, status?: number): AiError {
  const object = error !== null && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  const type = typeof object.type === 'string' ? object.type : undefined;
  const message = typeof object.message === 'string' ? object.message : '';
  const known = type === undefined ? undefined : KIND_OF[type];
  const shown = status ?? (type === undefined ? undefined : STATUS_OF[type]) ?? 500;
  return { status: shown, kind: known ?? kindForStatus(shown), message };
}
