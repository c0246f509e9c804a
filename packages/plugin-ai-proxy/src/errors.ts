/**
 * The format-neutral error: what went wrong upstream (or in gw on the response path), said once. Backends
 * map their upstream's errors to it (backends/bedrock/errors.ts, backends/anthropic/errors.ts); each client
 * format renders it in its own shape and with the status its clients' retry logic expects
 * (formats/anthropic/errors.ts); the log records it as the client saw it.
 */
import type { GatewayError } from '@gw/plugin-api';

/** What kind of failure, whatever the backend called it. */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  /** The backend is overloaded or unavailable for now: retry later. */
  | 'overloaded'
  | 'server';

export interface AiError {
  /** The status the backend meant (a format may show another: Anthropic's 529 for `overloaded`). */
  status: number;
  kind: ErrorKind;
  /** Safe to show the client and the log: never a credential (backends redact). */
  message: string;
  /** Seconds the backend asked the client to wait, when it said. */
  retryAfter?: number;
  /**
   * The error in the backend's own terms (its status and name), for a client that speaks the backend's
   * wire and is shown the error that way (Bedrock-native clients); other formats render the kind.
   */
  native?: { status: number; type: string };
}

export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400: return 'invalid_request';
    case 401: return 'authentication';
    case 403: return 'permission';
    case 404: return 'not_found';
    case 413: return 'too_large';
    case 429: return 'rate_limited';
    case 503: case 529: return 'overloaded';
    default: return status >= 500 ? 'server' : 'invalid_request';
  }
}

/** A gw error raised on the response path (a cut or corrupt stream) as a neutral error. */
export function aiErrorOf(error: GatewayError): AiError {
  return { status: error.status, kind: kindForStatus(error.status), message: error.message };
}
