/**
 * key-auth config: the JSON Schema (schema/config.schema.json, Kong 3.10's fields) plus the rules it
 * can't express: gw does not read keys from request bodies yet.
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue, JsonSchema } from '@gw/plugin-api';

export interface KeyAuthConfig {
  key_names: string[];
  hide_credentials: boolean;
  /** Consumer id or username; null or '' means unset. */
  anonymous?: string | null;
  key_in_header: boolean;
  key_in_query: boolean;
  key_in_body: boolean;
  run_on_preflight: boolean;
  realm?: string | null;
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(
  readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;

export const KEY_IN_BODY_UNSUPPORTED =
  'key_in_body is not supported yet by gw (it would buffer every request body); send the key in a header or the query string';

export function validateConfig(config: KeyAuthConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.key_in_body === true) issues.push({ path: 'key_in_body', message: KEY_IN_BODY_UNSUPPORTED });
  return issues;
}

/** The config with `anonymous: ''` read as unset (old decK dumps carry Kong 1.x's '' default). */
export function anonymousOf(config: KeyAuthConfig): string | undefined {
  return typeof config.anonymous === 'string' && config.anonymous !== '' ? config.anonymous : undefined;
}

/** The WWW-Authenticate value Kong 3.10 sends with every key-auth 401. */
export function wwwAuthenticate(config: KeyAuthConfig): string {
  return typeof config.realm === 'string' ? `Key realm="${config.realm}"` : 'Key';
}
