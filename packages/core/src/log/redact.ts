/**
 * Header values that never reach a log record. Kong redacts only the first two; gw redacts every credential.
 * Names are compared with `_` read as `-` (`credentialName`): with underscores in headers allowed, nginx
 * keeps `X_Api_Key` as its own header, and Kong's `get_header("x-api-key")` reads it as that credential,
 * so whatever the spelling, a name that a credential lookup could match is never logged in clear.
 */
export const REDACTED = 'REDACTED';

export const ALWAYS_REDACTED: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
]);

type Headers = Readonly<Record<string, string | string[] | number | undefined>>;

/** A header name as redaction compares it: lower-cased, `_` read as `-`. */
export function credentialName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes('_') ? lower.replace(/_/g, '-') : lower;
}

/** Copy `headers` for the log: undefined values dropped, numbers stringified, secrets replaced. `extra` holds `credentialName`s. */
export function redactHeaders(headers: Headers, extra: ReadonlySet<string> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const key = lower.includes('_') ? lower.replace(/_/g, '-') : lower;
    if (ALWAYS_REDACTED.has(key) || (extra !== undefined && extra.has(key))) out[lower] = REDACTED;
    else out[lower] = typeof value === 'number' ? String(value) : Array.isArray(value) ? [...value] : value;
  }
  return out;
}
