/** Header values that never reach a log record. Kong redacts only the first two; gw redacts every credential. */
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

/** Copy `headers` for the log: undefined values dropped, numbers stringified, secrets replaced. */
export function redactHeaders(headers: Headers, extra: ReadonlySet<string> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (ALWAYS_REDACTED.has(lower) || (extra !== undefined && extra.has(lower))) out[lower] = REDACTED;
    else out[lower] = typeof value === 'number' ? String(value) : Array.isArray(value) ? [...value] : value;
  }
  return out;
}
