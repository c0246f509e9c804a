/**
 * The IAM Identity Center access token behind an SSO profile, as the AWS SDK for JavaScript v3
 * (`@aws-sdk/token-providers` `fromSso`) keeps it usable: the token `aws sso login` cached in
 * ~/.aws/sso/cache/<sha1>.json is used while it has more than five minutes left; closer to its expiry,
 * a profile of the `sso_session` form (never a legacy `sso_start_url` one) trades the cached
 * `refreshToken` at SSO-OIDC CreateToken for a new token and writes it back to the same file, as
 * `aws sso login` would. A refresh that fails leaves the old token in use while it is still valid.
 *
 * One refresh at a time per cache file, and none within 30 s of the last attempt (the SDK's rule keeps
 * a failing refresh from being hammered by every request). Messages name the profile, the file and HTTP
 * statuses, never the tokens or the client secret.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { parseEndpoint } from '../../backends/endpoint.js';
import { credentialsFailed as failed } from './identity.js';
import { requestText } from './http-text.js';
import type { SsoProfile } from './sso-credentials.js';

/** A token with this little left is refreshed (the portal may drop it before its stated expiry). */
export const EXPIRE_WINDOW_MS = 5 * 60_000;
/** No new refresh this soon after the last attempt for the same cache file. */
export const REFRESH_RETRY_MS = 30_000;
const TIMEOUT_MS = 10_000;

/** The cache file's JSON, kept whole so a rewrite keeps the fields gw doesn't use. */
type CachedToken = Record<string, unknown> & { accessToken: string };
type Usable = { token: string; expiresAt: number };

const refreshing = new Map<string, Promise<string>>();
const lastAttempt = new Map<string, number>();
/** A refreshed token that couldn't be written back (the SDK then goes on with it in memory). */
const unwritten = new Map<string, Usable>();

/** The access token to call the portal with, refreshed first if it is (nearly) expired and can be. */
export async function ssoAccessToken(sso: SsoProfile, env: NodeJS.ProcessEnv, now: () => number = Date.now): Promise<string> {
  const { cached, usable } = await readToken(sso);
  const held = unwritten.get(sso.tokenFile);
  const current = held !== undefined && held.expiresAt > usable.expiresAt ? held : usable;
  if (current.expiresAt - now() > EXPIRE_WINDOW_MS) return current.token;
  const pending = refreshing.get(sso.tokenFile);
  if (pending !== undefined) return pending;
  const last = lastAttempt.get(sso.tokenFile);
  if (last !== undefined && now() - last < REFRESH_RETRY_MS) return stillValid(sso, current, now, 'its last refresh failed less than 30 s ago');
  const unable = cannotRefresh(sso, cached, now);
  if (unable !== undefined) return stillValid(sso, current, now, unable);
  const attempt = refresh(sso, cached, env, now).then(
    (fresh) => fresh.token,
    (error: Error) => stillValid(sso, current, now, `its refresh failed: ${error.message}`),
  );
  lastAttempt.set(sso.tokenFile, now());
  refreshing.set(sso.tokenFile, attempt);
  void attempt
    .finally(() => {
      if (refreshing.get(sso.tokenFile) === attempt) refreshing.delete(sso.tokenFile);
    })
    .catch(() => undefined);
  return attempt;
}

/** `aws sso login --profile <name>`, the way out of every token problem. */
export function loginHint(sso: SsoProfile): string {
  return `run aws sso login --profile ${sso.profile}`;
}

/** SSO-OIDC CreateToken: AWS_ENDPOINT_URL_SSO_OIDC (service id `SSO OIDC`), else AWS_ENDPOINT_URL, else oidc.<sso_region>. */
export function ssoOidcEndpoint(env: NodeJS.ProcessEnv, region: string): URL {
  const endpoint = parseEndpoint(env.AWS_ENDPOINT_URL_SSO_OIDC || env.AWS_ENDPOINT_URL || `https://oidc.${region}.amazonaws.com`);
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return new URL(`${endpoint.scheme}://${host}:${endpoint.port}${endpoint.prefix}/token`);
}

/** The cache file, read for every use (`aws sso login` and other SDKs rewrite it). */
async function readToken(sso: SsoProfile): Promise<{ cached: CachedToken; usable: Usable }> {
  let text: string;
  try {
    text = await readFile(sso.tokenFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw failed(`no SSO token for AWS profile '${sso.profile}' (${sso.tokenFile}: ${code}): ${loginHint(sso)}`);
  }
  const cached = parseObject(text);
  const expiresAt = typeof cached?.expiresAt === 'string' ? Date.parse(cached.expiresAt) : NaN;
  if (cached === undefined || typeof cached.accessToken !== 'string' || cached.accessToken === '' || Number.isNaN(expiresAt)) {
    throw failed(`unreadable SSO token cache file ${sso.tokenFile}: ${loginHint(sso)}`);
  }
  return { cached: cached as CachedToken, usable: { token: cached.accessToken, expiresAt } };
}

/** Why this token can't be refreshed (the rules of the SDK, plus botocore's registration check); undefined if it can. */
function cannotRefresh(sso: SsoProfile, cached: CachedToken, now: () => number): string | undefined {
  if (sso.session === undefined) return 'legacy profiles (sso_start_url without sso_session) are not refreshed';
  const missing = ['refreshToken', 'clientId', 'clientSecret', 'registrationExpiresAt'].find((key) => typeof cached[key] !== 'string' || cached[key] === '');
  if (missing !== undefined) return `the cache file has no ${missing} to refresh it with`;
  const registered = Date.parse(cached.registrationExpiresAt as string);
  if (Number.isNaN(registered) || registered <= now()) return 'its client registration has expired';
  return undefined;
}

/** The old token while it is still valid (SDK behaviour), else the error that asks for a new login. */
function stillValid(sso: SsoProfile, current: Usable, now: () => number, why: string): string {
  if (current.expiresAt > now()) return current.token;
  throw failed(`SSO token for AWS profile '${sso.profile}' expired at ${new Date(current.expiresAt).toISOString()} and ${why}: ${loginHint(sso)}`);
}

/** CreateToken with grant type refresh_token, then the new token written back to the cache file. */
async function refresh(sso: SsoProfile, cached: CachedToken, env: NodeJS.ProcessEnv, now: () => number): Promise<Usable> {
  const body = JSON.stringify({ clientId: cached.clientId, clientSecret: cached.clientSecret, refreshToken: cached.refreshToken, grantType: 'refresh_token' });
  const url = ssoOidcEndpoint(env, sso.region);
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const { status, text } = await requestText({ url, method: 'POST', headers, body, timeoutMs: TIMEOUT_MS, what: 'SSO-OIDC', fail: (detail) => new Error(detail) });
  const reply = parseObject(text);
  if (status !== 200) {
    // OAuth error codes (invalid_grant, invalid_client, …) name the problem; anything else is left out.
    const code = typeof reply?.error === 'string' && /^[a-z_]{1,40}$/.test(reply.error) ? ` ${reply.error}` : '';
    throw new Error(`SSO-OIDC CreateToken answered HTTP ${status}${code}`);
  }
  const { accessToken, expiresIn, refreshToken } = reply ?? {};
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new Error('unreadable SSO-OIDC CreateToken response');
  }
  const fresh: Usable = { token: accessToken, expiresAt: now() + expiresIn * 1000 };
  // As the SDK: the same fields with the new token, expiry and refresh token (dropped if none came back).
  const next: Record<string, unknown> = { ...cached, accessToken, expiresAt: new Date(fresh.expiresAt).toISOString(), refreshToken };
  if (typeof refreshToken !== 'string') delete next.refreshToken;
  try {
    await writeAtomically(sso.tokenFile, JSON.stringify(next, null, 2));
    unwritten.delete(sso.tokenFile);
  } catch {
    unwritten.set(sso.tokenFile, fresh); // the SDK, too, goes on with the token in memory
  }
  return fresh;
}

/** A temp file in the same folder (mode 0600: it holds secrets), renamed over the cache file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
