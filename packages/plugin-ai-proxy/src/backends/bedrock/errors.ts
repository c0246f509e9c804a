/**
 * Bedrock error → the neutral error (errors.ts), as data; docs/errors.md lists it (a test keeps the two in
 * step). Kinds are chosen for clients' retry logic: rate limits and overload are retried, bad requests and
 * permissions are not, and credential failures are `permission`, never `authentication` (Claude Code
 * 2.0.37 would refresh its own key and retry). The status is Bedrock's meaning; a format may show another
 * (Anthropic's 529 for `overloaded`).
 */
import type { HeaderMap } from '@gw/plugin-api';
import type { AiError, ErrorKind } from '../../errors.js';

export interface MappedError {
  status: number;
  kind: ErrorKind;
}

export const BEDROCK_ERROR_MAP: Readonly<Record<string, MappedError>> = {
  ValidationException: { status: 400, kind: 'invalid_request' },
  ConflictException: { status: 400, kind: 'invalid_request' },
  // Bedrock sends 400, but the condition is quota, not input: let the client back off and retry.
  ServiceQuotaExceededException: { status: 429, kind: 'rate_limited' },
  AccessDeniedException: { status: 403, kind: 'permission' },
  UnrecognizedClientException: { status: 403, kind: 'permission' },
  InvalidSignatureException: { status: 403, kind: 'permission' },
  IncompleteSignatureException: { status: 403, kind: 'permission' },
  MissingAuthenticationTokenException: { status: 403, kind: 'permission' },
  ExpiredTokenException: { status: 403, kind: 'permission' },
  ResourceNotFoundException: { status: 404, kind: 'not_found' },
  ThrottlingException: { status: 429, kind: 'rate_limited' },
  ModelNotReadyException: { status: 429, kind: 'rate_limited' },
  ServiceUnavailableException: { status: 503, kind: 'overloaded' },
  InternalServerException: { status: 500, kind: 'server' },
  ModelTimeoutException: { status: 504, kind: 'server' },
  ModelErrorException: { status: 502, kind: 'server' },
  ModelStreamErrorException: { status: 502, kind: 'server' },
};

/** Unknown type, unparsable body or connection failure. */
export const UNKNOWN_UPSTREAM_ERROR: MappedError = { status: 502, kind: 'server' };

/**
 * Upstream statuses whose meaning is clear even without a known type name; everything else is a 502.
 * Without this a typeless 400 would become a 502 that the client retries in vain.
 */
const BY_STATUS: Readonly<Record<number, MappedError>> = {
  400: { status: 400, kind: 'invalid_request' },
  403: { status: 403, kind: 'permission' },
  404: { status: 404, kind: 'not_found' },
  413: { status: 413, kind: 'too_large' },
  429: { status: 429, kind: 'rate_limited' },
};

/** In-stream exceptions use camelCase member names (`throttlingException`); HTTP errors use PascalCase. */
export function mapBedrockError(name: string | undefined, upstreamStatus?: number): MappedError {
  if (name !== undefined && name.length > 0) {
    const pascal = name[0]!.toUpperCase() + name.slice(1);
    const known = BEDROCK_ERROR_MAP[pascal];
    if (known !== undefined) return known;
  }
  return (upstreamStatus !== undefined ? BY_STATUS[upstreamStatus] : undefined) ?? UNKNOWN_UPSTREAM_ERROR;
}

export interface BedrockErrorInfo {
  /** The SDK's error name, `Unknown` when neither the header nor the body names one. */
  name: string;
  message: string;
}

/**
 * Name and message of a Bedrock HTTP error, in the AWS SDK's order: `x-amzn-errortype` (before the
 * first `:`), then body `__type`, then body `code`; message from `message` or `Message`.
 */
export function parseBedrockError(errorTypeHeader: string | undefined, bodyText: string): BedrockErrorInfo {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: name from the header only, message generic
  }
  const fromBody = (key: string) => (typeof body[key] === 'string' && body[key] !== '' ? (body[key] as string) : undefined);
  const raw = nonEmpty(errorTypeHeader) ?? fromBody('__type') ?? fromBody('code');
  const name = raw === undefined ? 'Unknown' : sanitizeName(raw);
  const message = fromBody('message') ?? fromBody('Message') ?? 'upstream error without a message';
  return { name, message: safeUpstreamMessage(message) };
}

const MESSAGE_CAP = 2000;
const CREDENTIAL = /(x-amz-security-token|authorization|x-api-key|credential|signature)(\s*[:=]\s*)(?:(?:Bearer|Basic)\s+)?[^\s'"&,]+/gi;
/** API keys in the shapes OpenAI and Anthropic issue them, which an OpenAI-compatible server may echo unmasked. */
const API_KEY = /\bsk-[A-Za-z0-9_*-]{6,}/g;

/**
 * An upstream's error message, safe to show the client and the log. AWS signature errors append the
 * canonical request after a blank line, which carries signed header values such as `x-amz-security-token`:
 * keep only the first paragraph, and redact credential-looking pairs (a bearer token whole) and API keys
 * anywhere.
 */
export function safeUpstreamMessage(message: string): string {
  const paragraph = message.split(/\r?\n\s*\r?\n/, 1)[0]!.trim();
  const redacted = paragraph.replace(CREDENTIAL, '$1$2REDACTED').replace(API_KEY, 'sk-REDACTED');
  return redacted.length > MESSAGE_CAP ? `${redacted.slice(0, MESSAGE_CAP)}…` : redacted;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `ValidationException:http://…` and `com.amazon…#ValidationException` both name ValidationException. */
function sanitizeName(raw: string): string {
  let name = raw.trim();
  const colon = name.indexOf(':');
  if (colon >= 0) name = name.slice(0, colon);
  const hash = name.lastIndexOf('#');
  if (hash >= 0) name = name.slice(hash + 1);
  return name;
}

/**
 * A Bedrock HTTP error answer → the neutral error and Bedrock's own name for it (logged as upstream_type).
 * Takes `x-amzn-errortype` out of `headers`: it names Bedrock's internals, not the client's error.
 */
export function takeBedrockError(status: number, headers: HeaderMap, body: string): { error: AiError; upstreamType: string } {
  const raw = headers['x-amzn-errortype'];
  delete headers['x-amzn-errortype'];
  const info = parseBedrockError(Array.isArray(raw) ? raw[0] : raw, body);
  const mapped = mapBedrockError(info.name, status);
  return { error: { status: mapped.status, kind: mapped.kind, message: info.message }, upstreamType: info.name };
}
