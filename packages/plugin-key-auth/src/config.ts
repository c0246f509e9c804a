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
  /** Kong Enterprise fields, accepted only with the values that mean "off" (see validateConfig). */
  identity_realms?: unknown[];
  principals?: { enabled?: unknown };
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(
  readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;

export const KEY_IN_BODY_UNSUPPORTED =
  'key_in_body is not supported yet by gw (it would buffer every request body); send the key in a header or the query string';

export const IDENTITY_REALMS_UNSUPPORTED =
  'Konnect identity realms are not supported by gw; only the local consumers ({scope: cp}) are, which is what gw looks keys up in';
export const PRINCIPALS_UNSUPPORTED = 'principals (Kong Identity) are a Kong Enterprise feature gw does not support; set enabled: false or remove them';

function isLocalRealm(realm: unknown): boolean {
  if (realm === null || typeof realm !== 'object' || Array.isArray(realm)) return false;
  const { scope, id, region, ...rest } = realm as Record<string, unknown>;
  return scope === 'cp' && (id === undefined || id === null) && (region === undefined || region === null) && Object.keys(rest).length === 0;
}

export function validateConfig(config: KeyAuthConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.key_in_body === true) issues.push({ path: 'key_in_body', message: KEY_IN_BODY_UNSUPPORTED });
  // Enterprise dumps carry these with their defaults; those mean "local consumers" and "off", which is gw.
  config.identity_realms?.forEach((realm, i) => {
    if (!isLocalRealm(realm)) issues.push({ path: `identity_realms[${i}]`, message: IDENTITY_REALMS_UNSUPPORTED });
  });
  if (config.principals !== undefined && config.principals.enabled !== false) {
    issues.push({ path: 'principals.enabled', message: PRINCIPALS_UNSUPPORTED });
  }
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
