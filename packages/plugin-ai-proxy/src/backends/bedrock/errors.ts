/**
 * Bedrock error → Anthropic error, as data; docs/errors.md lists it (a test keeps the two in step).
 * Statuses are chosen for Claude Code's retry logic: 429/529/5xx are retried, 400/403/404 are not, and
 * credential failures are never 401 (Claude Code 2.0.37 would refresh its own key and retry).
 */
import type { AnthropicErrorType } from '@gw/plugin-api';

export interface MappedError {
  status: number;
  type: AnthropicErrorType;
}

export const BEDROCK_ERROR_MAP: Readonly<Record<string, MappedError>> = {
  ValidationException: { status: 400, type: 'invalid_request_error' },
  ConflictException: { status: 400, type: 'invalid_request_error' },
  // Bedrock sends 400, but the condition is quota, not input: let the client back off and retry.
  ServiceQuotaExceededException: { status: 429, type: 'rate_limit_error' },
  AccessDeniedException: { status: 403, type: 'permission_error' },
  UnrecognizedClientException: { status: 403, type: 'permission_error' },
  InvalidSignatureException: { status: 403, type: 'permission_error' },
  IncompleteSignatureException: { status: 403, type: 'permission_error' },
  MissingAuthenticationTokenException: { status: 403, type: 'permission_error' },
  ExpiredTokenException: { status: 403, type: 'permission_error' },
  ResourceNotFoundException: { status: 404, type: 'not_found_error' },
  ThrottlingException: { status: 429, type: 'rate_limit_error' },
  ModelNotReadyException: { status: 429, type: 'rate_limit_error' },
  ServiceUnavailableException: { status: 529, type: 'overloaded_error' },
  InternalServerException: { status: 500, type: 'api_error' },
  ModelTimeoutException: { status: 504, type: 'api_error' },
  ModelErrorException: { status: 502, type: 'api_error' },
  ModelStreamErrorException: { status: 502, type: 'api_error' },
};

/** Unknown type, unparsable body or connection failure. */
export const UNKNOWN_UPSTREAM_ERROR: MappedError = { status: 502, type: 'api_error' };

/**
 * Upstream statuses whose meaning is clear even without a known type name; everything else is a 502.
 * Without this a typeless 400 would become a 502 that the client retries in vain.
 */
const BY_STATUS: Readonly<Record<number, MappedError>> = {
  400: { status: 400, type: 'invalid_request_error' },
  403: { status: 403, type: 'permission_error' },
  404: { status: 404, type: 'not_found_error' },
  413: { status: 413, type: 'request_too_large' },
  429: { status: 429, type: 'rate_limit_error' },
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
const CREDENTIAL = /(x-amz-security-token|authorization|x-api-key|credential|signature)(\s*[:=]\s*)[^\s'"&,]+/gi;

/**
 * Bedrock's message, safe to show the client and the log. AWS signature errors append the canonical
 * request after a blank line, which carries signed header values such as `x-amz-security-token`: keep
 * only the first paragraph, and redact credential-looking pairs anywhere.
 */
export function safeUpstreamMessage(message: string): string {
  const paragraph = message.split(/\r?\n\s*\r?\n/, 1)[0]!.trim();
  const redacted = paragraph.replace(CREDENTIAL, '$1$2REDACTED');
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
