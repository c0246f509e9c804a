// OpenAI's error answers: `{"error":{"message","type","param","code"}}` with the status OpenAI uses.
import type { ServerResponse } from 'node:http';

export interface ApiError {
  status: number;
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
  /** Extra response headers (retry-after, x-ratelimit-*). */
  headers?: Record<string, string>;
}

export function errorBody(error: ApiError): string {
  return JSON.stringify({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } });
}

export function sendError(res: ServerResponse, error: ApiError, requestId: string): void {
  const body = errorBody(error);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...error.headers,
  });
  res.end(body);
}

export const invalid = (message: string, param: string | null = null, code: string | null = null): ApiError => ({
  status: 400,
  type: 'invalid_request_error',
  message,
  param,
  code,
});

/** As OpenAI words it for a field its API does not have. */
export const unrecognized = (name: string): ApiError => invalid(`Unrecognized request argument supplied: ${name}`);

/** OpenAI masks a wrong key but for its last four characters. */
export function authError(authorization: string | undefined): ApiError {
  const key = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  if (key === undefined || key === '') {
    return {
      status: 401,
      type: 'invalid_request_error',
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    };
  }
  const masked = `${key.slice(0, 3)}${'*'.repeat(Math.max(0, key.length - 7))}${key.slice(-4)}`;
  return {
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  };
}
