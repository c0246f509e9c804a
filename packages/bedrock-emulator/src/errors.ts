// Bedrock's HTTP error shape: the type in `x-amzn-errortype`, `{"message"}` body (docs/reference/bedrock.md#errors).
import type { AnyResponse } from './transport.js';
import { end, writeHead } from './transport.js';

export interface BedrockError {
  status: number;
  type: string;
  message: string;
  /** Seconds in a `retry-after` header (Bedrock rarely sends one; a proxy in front of it may). */
  retryAfter?: number;
}

export const THROTTLED: BedrockError = { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' };
export const UNAVAILABLE: BedrockError = { status: 503, type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' };
export const ACCESS_DENIED: BedrockError = { status: 403, type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." };
export const INVALID_INPUT: BedrockError = {
  status: 400,
  type: 'ValidationException',
  message: 'Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.',
};
export const UNKNOWN_OPERATION: BedrockError = { status: 404, type: 'UnknownOperationException', message: 'The requested operation is not recognized by the service.' };

export const validationError = (message: string): BedrockError => ({ status: 400, type: 'ValidationException', message });

/** Authentication failures are raised by the AWS front door, hence the generic coral namespace. */
const AUTH_TYPES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
]);

export function errorTypeHeader(type: string): string {
  const namespace = AUTH_TYPES.has(type) ? 'com.amazon.coral.service' : 'com.amazon.bedrock';
  return `${type}:http://internal.amazon.com/coral/${namespace}/`;
}

export function sendError(res: AnyResponse, requestId: string, error: BedrockError): void {
  const body = JSON.stringify({ message: error.message });
  writeHead(res, error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': errorTypeHeader(error.type),
    ...(error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) }),
  });
  end(res, body);
}
