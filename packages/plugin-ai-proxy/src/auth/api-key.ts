/**
 * Kong's key auth towards a backend: `auth.header_name` / `header_value` (a header, e.g. `x-api-key` or
 * `Authorization: Bearer …`) and `auth.param_name` / `param_value` / `param_location: query`. The configured
 * key replaces the client's unless `allow_override` and the client sent one; with no key configured, the
 * client's own credentials go through (Kong's behaviour).
 */
import type { HeaderMap } from '@gw/plugin-api';
import type { AuthConfig } from '../config/types.js';

/**
 * `headers` gets the key header (and loses the client's `x-api-key` / `authorization`, so two credentials
 * never travel together); the query gets the key parameter.
 */
export function applyKeyAuth(auth: AuthConfig | undefined, clientHeaders: Readonly<HeaderMap>, query: string, headers: Record<string, string | null>): string {
  if (auth?.header_name && auth.header_value) {
    const name = auth.header_name.toLowerCase();
    // Kong reads the client's header with get_header(), which finds `x_api_key` for `x-api-key` too.
    const spellings = clientSpellings(clientHeaders, [name, 'x-api-key', 'authorization']);
    const clientHas = spellings.has(name);
    if (!(auth.allow_override && clientHas)) {
      // The gateway's key goes instead of the client's, never beside any spelling of it.
      for (const sent of spellings.values()) for (const header of sent) headers[header] = null;
      headers['x-api-key'] = null;
      headers.authorization = null;
      headers[name] = auth.header_value;
    }
  }
  if (auth?.param_name && auth.param_value && auth.param_location === 'query') {
    const params = new URLSearchParams(query);
    if (!(auth.allow_override && params.has(auth.param_name))) params.set(auth.param_name, auth.param_value);
    return params.toString();
  }
  return query;
}

/** The key header's name, for core to redact from logs like x-api-key and authorization. */
export function keyHeaderName(auth: AuthConfig | undefined): string | undefined {
  return auth?.header_name ? auth.header_name.toLowerCase() : undefined;
}

/**
 * The client's headers that are one of `names` when `_` is read as `-` (only present when underscores in
 * headers are allowed), by the name they stand for.
 */
function clientSpellings(clientHeaders: Readonly<HeaderMap>, names: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const name of names) if (clientHeaders[name] !== undefined) found.set(name, [name]);
  for (const header in clientHeaders) {
    if (!header.includes('_')) continue;
    const as = header.replace(/_/g, '-');
    if (!names.includes(as)) continue;
    const list = found.get(as);
    if (list === undefined) found.set(as, [header]);
    else list.push(header);
  }
  return found;
}
