/**
 * IAM Identity Center (SSO) profiles, as the AWS SDK for JavaScript v3 `fromSSO` resolves them for a
 * developer who ran `aws sso login`: the profile names an account and a role, the portal (start URL and
 * region) comes from its `[sso-session name]` section or, in the legacy form, from the profile itself;
 * the access token `aws sso login` left in ~/.aws/sso/cache/<sha1>.json is traded at the SSO portal's
 * GetRoleCredentials for role credentials, cached and renewed like assumed roles (sts-client.ts).
 *
 * The token itself (read, refreshed through SSO-OIDC for the sso-session form) is sso-token.ts's.
 * Messages name settings, files and HTTP statuses, never the token or the keys.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseEndpoint } from '../../backends/endpoint.js';
import { credentialsFailed as failed, type AwsCredentials } from './identity.js';
import { requestText } from './http-text.js';
import { loginHint, ssoAccessToken } from './sso-token.js';
import { cachedCredentials, type TemporaryCredentials } from './sts-client.js';

/** The non-secret settings of an SSO profile, read at init (shared-files.ts). */
export interface SsoProfile {
  /** The profile's name, for the `aws sso login --profile` hint. */
  profile: string;
  startUrl: string;
  /** Where the portal is (`sso_region`), not where Bedrock is. */
  region: string;
  accountId: string;
  roleName: string;
  /** The `[sso-session]` name; undefined for a legacy profile (whose token is never refreshed, as in the SDK). */
  session?: string;
  /** The token cache file `aws sso login` writes for this session (or start URL). */
  tokenFile: string;
}

const TIMEOUT_MS = 10_000;
const SETTINGS = ['sso_session', 'sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'];

/** Whether the profile asks for SSO (any `sso_*` setting the SDKs look at). */
export function isSsoProfile(settings: Map<string, string>): boolean {
  return SETTINGS.some((key) => settings.has(key));
}

/**
 * The profile's SSO settings, merged with its `[sso-session]` section (whose start URL and region win; a
 * profile that repeats them differently is a conflict, as in the SDK); else what is missing, by name.
 */
export function ssoProfileOf(
  name: string,
  settings: Map<string, string>,
  sessionSection: (session: string) => Map<string, string> | undefined,
  env: NodeJS.ProcessEnv,
): { kind: 'sso'; sso: SsoProfile } | { kind: 'failed'; detail: string } {
  const session = settings.get('sso_session');
  let startUrl = settings.get('sso_start_url');
  let region = settings.get('sso_region');
  if (session !== undefined) {
    const section = sessionSection(session);
    if (section === undefined) return { kind: 'failed', detail: `AWS profile '${name}' names sso_session '${session}', which has no [sso-session ${session}] section in the config file` };
    for (const [key, own] of [['sso_start_url', startUrl], ['sso_region', region]] as const) {
      const shared = section.get(key);
      if (own !== undefined && shared !== undefined && own !== shared) {
        return { kind: 'failed', detail: `conflicting ${key} in AWS profile '${name}' and sso-session '${session}'` };
      }
    }
    startUrl = section.get('sso_start_url');
    region = section.get('sso_region');
  }
  const where = session === undefined ? `AWS profile '${name}'` : `sso-session '${session}' of AWS profile '${name}'`;
  if (startUrl === undefined) return { kind: 'failed', detail: `${where} has no sso_start_url` };
  if (region === undefined) return { kind: 'failed', detail: `${where} has no sso_region` };
  const accountId = settings.get('sso_account_id');
  const roleName = settings.get('sso_role_name');
  if (accountId === undefined || roleName === undefined) {
    return { kind: 'failed', detail: `AWS profile '${name}' has no ${accountId === undefined ? 'sso_account_id' : 'sso_role_name'}` };
  }
  const tokenFile = ssoTokenFile(env, session ?? startUrl);
  const sso: SsoProfile = { profile: name, startUrl, region, accountId, roleName, tokenFile };
  if (session !== undefined) sso.session = session;
  return { kind: 'sso', sso };
}

/** ~/.aws/sso/cache/<sha1 hex of the session name, or of the start URL for a legacy profile>.json. */
export function ssoTokenFile(env: NodeJS.ProcessEnv, id: string): string {
  return join(env.HOME || homedir(), '.aws', 'sso', 'cache', `${createHash('sha1').update(id).digest('hex')}.json`);
}

/** The portal: AWS_ENDPOINT_URL_SSO, else AWS_ENDPOINT_URL, else the sso_region's (as for STS). */
export function ssoEndpoint(env: NodeJS.ProcessEnv, region: string): URL {
  const endpoint = parseEndpoint(env.AWS_ENDPOINT_URL_SSO || env.AWS_ENDPOINT_URL || `https://portal.sso.${region}.amazonaws.com`);
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return new URL(`${endpoint.scheme}://${host}:${endpoint.port}${endpoint.prefix}/federation/credentials`);
}

/** The role's credentials, fetched (token file read, portal asked) once per cache lifetime. */
export function ssoCredentials(sso: SsoProfile, env: NodeJS.ProcessEnv, now = Date.now): Promise<AwsCredentials> {
  const url = ssoEndpoint(env, sso.region);
  const key = ['sso', url.href, sso.accountId, sso.roleName, sso.tokenFile].join('\n');
  return cachedCredentials(key, () => fetchRoleCredentials(sso, url, env, now), now);
}

async function fetchRoleCredentials(sso: SsoProfile, base: URL, env: NodeJS.ProcessEnv, now: () => number): Promise<TemporaryCredentials> {
  const token = await ssoAccessToken(sso, env, now);
  const url = new URL(base);
  url.search = new URLSearchParams({ role_name: sso.roleName, account_id: sso.accountId }).toString();
  const headers = { 'x-amz-sso_bearer_token': token, accept: 'application/json' };
  const { status, text } = await requestText({ url, method: 'GET', headers, timeoutMs: TIMEOUT_MS, what: 'SSO portal', fail: failed });
  if (status === 401 || status === 403) throw failed(`SSO session rejected (HTTP ${status}): ${loginHint(sso)}`);
  if (status !== 200) throw failed(`SSO portal answered HTTP ${status}`);
  let role: Record<string, unknown> | undefined;
  try {
    role = (JSON.parse(text) as { roleCredentials?: Record<string, unknown> }).roleCredentials;
  } catch {
    role = undefined;
  }
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = role ?? {};
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || typeof sessionToken !== 'string' || typeof expiration !== 'number') {
    throw failed('unreadable SSO GetRoleCredentials response');
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt: expiration };
}
