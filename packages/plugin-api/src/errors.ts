/**
 * The one catalogue of gateway error codes. Every error gw or a bundled plugin answers with has a code
 * here; tests assert on codes, docs/errors.md lists them. Messages follow Kong's where Kong has one.
 */

export type ErrorFormat = 'kong' | 'anthropic' | 'openai' | 'bedrock';

/** Anthropic error types (https://docs.anthropic.com/en/api/errors). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

interface CatalogueEntry {
  status: number;
  message: string;
}

/** What a plugin declares for one of its own error codes (`defineErrorCodes`). */
export interface ErrorCodeDefinition {
  /** 400–599. */
  status: number;
  /** Shown to the client; `{name}` placeholders are filled from `params`. Never put secrets in it. */
  message: string;
  /** Anthropic error type; derived from the status when absent. */
  anthropicType?: AnthropicErrorType;
}

/** A plugin's error code, as `defineErrorCodes` returns it: pass it to `new GatewayError(code)`. */
export interface PluginErrorCode<Code extends string = string> extends Readonly<ErrorCodeDefinition> {
  readonly code: Code;
  /** The plugin (or package) that defined it. */
  readonly owner: string;
}

/** One row of the whole catalogue: gw's codes and every code a plugin defined in this process. */
export interface CatalogueRow extends Readonly<ErrorCodeDefinition> {
  readonly code: string;
  /** `gw` for the built-in codes, else the defining plugin. */
  readonly owner: string;
}

export const ERROR_CATALOGUE = {
  GW_ERR_NO_ROUTE: { status: 404, message: 'no Route matched with those values' },
  GW_ERR_HTTPS_REQUIRED: { status: 426, message: 'Please use HTTPS protocol' },
  GW_ERR_UPSTREAM_UNAVAILABLE: { status: 502, message: 'An invalid response was received from the upstream server' },
  GW_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'The upstream server is timed out' },
  GW_ERR_UPSTREAM_PROXY_FAILED: { status: 502, message: 'could not reach the upstream server through the outbound proxy: {detail}' },
  GW_ERR_NO_SERVICE: { status: 503, message: 'no Service found with those values' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, message: 'Request size limit exceeded' },
  GW_ERR_BAD_REQUEST: { status: 400, message: 'Bad request' },
  GW_ERR_REQUEST_TIMEOUT: { status: 408, message: 'Request timeout' },
  GW_ERR_HTTP_VERSION_NOT_SUPPORTED: { status: 505, message: 'HTTP Version Not Supported' },
  GW_ERR_UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  GW_ERR_NO_API_KEY: { status: 401, message: 'No API key found in request' },
  GW_ERR_FORBIDDEN: { status: 403, message: 'You cannot consume this service' },
  GW_ERR_INTERNAL: { status: 500, message: 'An unexpected error occurred' },
  GW_ERR_PLUGIN_FAILED: { status: 500, message: 'An unexpected error occurred' },
  // ai-proxy
  GW_ERR_AI_NOT_FOUND: { status: 404, message: 'this route serves only /v1/messages, /v1/messages/count_tokens and /v1/models' },
  GW_ERR_AI_METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  GW_ERR_AI_INVALID_BODY: { status: 400, message: "request body doesn't contain valid prompts" },
  GW_ERR_AI_DUPLICATE_KEY: { status: 400, message: 'request body has the top-level key {key} more than once' },
  // ai-proxy, request fields (OpenAI-format clients get the field in `param`)
  GW_ERR_AI_UNKNOWN_FIELD: { status: 400, message: 'Unrecognized request argument supplied: {field}' },
  GW_ERR_AI_INVALID_FIELD: { status: 400, message: "invalid '{field}': {reason}" },
  GW_ERR_AI_UNSUPPORTED_FIELD: { status: 400, message: "'{field}' is not supported on this route: {reason}" },
  GW_ERR_AI_MODEL_MISMATCH: { status: 400, message: 'cannot use own model - must be: {model}' },
  GW_ERR_AI_NO_MODEL: { status: 400, message: 'model parameter not found in request, nor in gateway configuration' },
  GW_ERR_AI_MODEL_NOT_SERVED: { status: 400, message: "model '{model}' is not served by this route{why}{served}" },
  GW_ERR_AI_MODEL_UNVERIFIED: { status: 400, message: "model '{model}' maps to {id}, an id no AWS or Anthropic page confirms (unverified in gw's model catalogue); to call it anyway, map it in model_aliases: \"{model}\": \"{id}\"" },
  GW_ERR_AI_MODEL_NOT_FOUND: { status: 404, message: "model '{model}' is not served by this route" },
  GW_ERR_AI_STREAMING_DENIED: { status: 400, message: 'response streaming is not enabled for this LLM' },
  GW_ERR_AI_NO_REGION: { status: 500, message: 'LLM request failed before proxying: AWS region not specified anywhere' },
  GW_ERR_AI_NO_CREDENTIALS: { status: 500, message: 'LLM request failed before proxying: no AWS credentials configured' },
  GW_ERR_AI_CREDENTIALS_FAILED: { status: 500, message: 'LLM request failed before proxying: could not get AWS credentials ({detail})' },
  GW_ERR_AI_ASSUME_ROLE_FAILED: { status: 500, message: 'LLM request failed before proxying: could not assume the AWS role ({detail})' },
  GW_ERR_AI_STREAM_TRUNCATED: { status: 502, message: 'upstream stream ended in the middle of an event' },
  GW_ERR_AI_STREAM_CORRUPT: { status: 502, message: 'upstream stream is corrupt: {detail}' },
  // ai-proxy-advanced: every target this request may use sits out (circuit breaker); 429, or 529 / 503 for overload
  GW_ERR_AI_TARGETS_UNAVAILABLE: { status: 429, message: 'no target is available: the {count} target(s) this request may use are {why} and sit out for {seconds}s (circuit breaker)' },
  // rate-limiting, ai-rate-limiting-advanced
  GW_ERR_RATE_LIMITED: { status: 429, message: 'API rate limit exceeded' },
  GW_ERR_AI_RATE_LIMITED: { status: 429, message: 'AI token rate limit exceeded for provider(s): {providers}' },
  GW_ERR_RATE_LIMIT_STORE: { status: 500, message: 'An unexpected error occurred' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

const MARK = Symbol.for('gw.GatewayError');

// Shared through globalThis so that plugins with their own copy of this package add to the same catalogue.
const REGISTRY_KEY = Symbol.for('gw.error-codes');
type Registry = Map<string, PluginErrorCode>;
const registry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new Map()) as Registry;

const PLUGIN_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * Add a plugin's own error codes to the catalogue, once at module load:
 *
 *     export const ERRORS = defineErrorCodes('spend-alarm', {
 *       SPEND_ALARM_OVER_BUDGET: { status: 402, message: 'over the budget of {budget} USD' },
 *     });
 *     throw new GatewayError(ERRORS.SPEND_ALARM_OVER_BUDGET, { params: { budget: 5 } });
 *
 * Codes are UPPER_SNAKE_CASE, prefixed with the plugin's own name (`GW_ERR_` is gw's), and unique across
 * plugins: a code another owner defined, or the same code defined again differently, throws. Defining the
 * same code identically again is a no-op (two copies of one package).
 */
export function defineErrorCodes<const Codes extends Record<string, ErrorCodeDefinition>>(
  owner: string,
  codes: Codes,
): { readonly [Code in keyof Codes & string]: PluginErrorCode<Code> } {
  if (typeof owner !== 'string' || owner.length === 0) throw new TypeError('defineErrorCodes: owner must be the plugin name');
  const out: Record<string, PluginErrorCode> = {};
  for (const [code, definition] of Object.entries(codes)) {
    if (!PLUGIN_CODE.test(code)) throw new TypeError(`defineErrorCodes(${owner}): code '${code}' must be UPPER_SNAKE_CASE with a prefix, e.g. SPEND_ALARM_OVER_BUDGET`);
    if (code.startsWith('GW_ERR_') || code in ERROR_CATALOGUE) throw new TypeError(`defineErrorCodes(${owner}): ${code}: the GW_ERR_ prefix belongs to gw's own catalogue`);
    const { status, message, anthropicType } = definition;
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new TypeError(`defineErrorCodes(${owner}): ${code}: status must be an integer 400-599, got ${String(status)}`);
    if (typeof message !== 'string' || message.length === 0) throw new TypeError(`defineErrorCodes(${owner}): ${code}: message must be a non-empty string`);
    const entry: PluginErrorCode = Object.freeze({ code, owner, status, message, ...(anthropicType === undefined ? {} : { anthropicType }) });
    const known = registry.get(code);
    if (known !== undefined) {
      const same = known.owner === owner && known.status === status && known.message === message && known.anthropicType === anthropicType;
      if (!same) throw new TypeError(`defineErrorCodes(${owner}): ${code} is already defined by ${known.owner}`);
      out[code] = known;
      continue;
    }
    registry.set(code, entry);
    out[code] = entry;
  }
  return Object.freeze(out) as { readonly [Code in keyof Codes & string]: PluginErrorCode<Code> };
}

/** gw's codes, then every code plugins defined in this process, in definition order. */
export function errorCatalogue(): CatalogueRow[] {
  const rows: CatalogueRow[] = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => ({ code, owner: 'gw', status: entry.status, message: entry.message }));
  for (const entry of registry.values()) rows.push(entry);
  return rows;
}

export interface GatewayErrorOptions {
  /** Values for `{name}` placeholders in the catalogue message. */
  params?: Record<string, string | number>;
  /** Override the catalogue status (e.g. an upstream error mapped per provider). */
  status?: number;
  /** Override the message entirely. */
  message?: string;
  /** Anthropic error type; derived from the status when absent. */
  anthropicType?: AnthropicErrorType;
  /** Extra response headers (e.g. retry-after). */
  headers?: Record<string, string>;
  /** The request field at fault (`messages[2].content`), for formats that name it (OpenAI's `param`). */
  param?: string;
  cause?: unknown;
}

/** An error that becomes a response in the client's format. Safe to show: never put secrets in it. */
export class GatewayError extends Error {
  /** A `GW_ERR_` code of gw's catalogue, or a plugin's own (`defineErrorCodes`). */
  readonly code: ErrorCode | (string & {});
  readonly status: number;
  readonly anthropicType: AnthropicErrorType;
  readonly headers: Record<string, string>;
  /** The request field at fault, when one is (OpenAI's `param`). */
  readonly param: string | undefined;

  constructor(code: ErrorCode | PluginErrorCode, options: GatewayErrorOptions = {}) {
    const entry: ErrorCodeDefinition | undefined = typeof code === 'string' ? ERROR_CATALOGUE[code] : registry.get(code.code) ?? code;
    if (entry === undefined) throw new TypeError(`unknown error code '${typeof code === 'string' ? code : code.code}'`);
    const message = options.message ?? fill(entry.message, options.params ?? {});
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = typeof code === 'string' ? code : code.code;
    this.status = options.status ?? entry.status;
    // A plugin code's own type holds only for its own status.
    const ownType = options.status === undefined || options.status === entry.status ? entry.anthropicType : undefined;
    this.anthropicType = options.anthropicType ?? ownType ?? anthropicTypeForStatus(this.status);
    this.headers = options.headers ?? {};
    this.param = options.param;
    (this as unknown as Record<symbol, boolean>)[MARK] = true;
  }

  /** True for a GatewayError from any copy of this package. */
  static is(value: unknown): value is GatewayError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  }
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

export function anthropicTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * Bedrock Runtime's exception names for gw's own errors, by status, so the AWS SDK raises a typed
 * exception (AccessDeniedException, ValidationException, …) and retries as it would for Bedrock:
 * ThrottlingException, InternalServerException, ServiceUnavailableException and RequestTimeoutException are
 * retried, the rest not. The status stays gw's (a key-auth 401 is still 401).
 */
export function bedrockErrorTypeForStatus(status: number): string {
  switch (status) {
    case 401: case 403: return 'AccessDeniedException';
    // Only a path that is no Bedrock Runtime operation gets a 404 or 405 from gw on a Bedrock route.
    case 404: case 405: return 'UnknownOperationException';
    case 408: return 'RequestTimeoutException';
    case 429: return 'ThrottlingException';
    case 500: return 'InternalServerException';
    case 502: case 503: case 504: return 'ServiceUnavailableException';
    default: return status >= 500 ? 'InternalServerException' : 'ValidationException';
  }
}

/** Headers an error response carries in the given client format besides its body: Bedrock names its type in `x-amzn-errortype`. */
export function errorHeaders(format: ErrorFormat, status: number): Record<string, string> | undefined {
  return format === 'bedrock' ? { 'x-amzn-errortype': bedrockErrorTypeForStatus(status) } : undefined;
}

/** OpenAI's `code` where its API has one for the condition (clients match `rate_limit_exceeded`). */
const OPENAI_CODES: Record<number, string> = {
  429: 'rate_limit_exceeded',
};

/** OpenAI's error `type` for a status (its SDKs key on the status; the type is what people read). */
export function openaiTypeForStatus(status: number): string {
  return OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
}

/** The JSON body of an error response in the given client format; `param` names the faulty field (OpenAI). */
export function renderErrorBody(format: ErrorFormat, status: number, message: string, anthropicType?: AnthropicErrorType, param?: string): string {
  switch (format) {
    case 'anthropic':
      return JSON.stringify({ type: 'error', error: { type: anthropicType ?? anthropicTypeForStatus(status), message } });
    case 'openai':
      return JSON.stringify({ error: { message, type: openaiTypeForStatus(status), param: param ?? null, code: OPENAI_CODES[status] ?? null } });
    // Bedrock's body is Kong's shape; its type travels in x-amzn-errortype (errorHeaders).
    case 'bedrock':
    default:
      return JSON.stringify({ message });
  }
}
