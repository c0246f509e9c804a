/**
 * The IAM Identity Center (SSO) portal's GetRoleCredentials, enough for gw's SSO profiles:
 * `GET /federation/credentials?role_name=…&account_id=…` with the `x-amz-sso_bearer_token` header that
 * `aws sso login` made possible. A token the emulator was configured with (`ssoAccessTokens`) gets
 * temporary role credentials (one hour, `ASIA…`) that the Bedrock side then accepts, as after STS
 * (sts.ts); any other token is a 401, as the portal answers for a token it doesn't know. A role name
 * containing `denied` is a 403, as for a role the user isn't assigned.
 *
 * And SSO-OIDC CreateToken's refresh_token grant (`POST /token`, JSON), which the SDKs use to refresh that
 * token: a client the emulator was configured with (`ssoOidcClients`: id, secret, current refresh token)
 * gets a new access token the portal then accepts, and a new refresh token (the old one stops working,
 * as the service rotates them). Errors are the service's OAuth-style ones (`{"error": "invalid_grant"}`).
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from './sigv4.js';

export const SSO_PATH = '/federation/credentials';

/** The query of a GetRoleCredentials call; undefined for any other request. */
export function roleCredentialsRequest(method: string, url: string): URLSearchParams | undefined {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  return method === 'GET' && path === SSO_PATH ? new URLSearchParams(query) : undefined;
}

export type SsoAnswer = { status: number; json: string; errorType?: string; issued?: Credentials };

export function roleCredentials(query: URLSearchParams, bearer: string | undefined, accepted: readonly string[], now = Date.now()): SsoAnswer {
  const roleName = query.get('role_name') ?? '';
  const accountId = query.get('account_id') ?? '';
  if (roleName === '' || accountId === '') return error(400, 'InvalidRequestException', 'role_name and account_id are required');
  if (bearer === undefined || !accepted.includes(bearer)) return error(401, 'UnauthorizedException', 'Session token not found or invalid');
  if (roleName.includes('denied')) return error(403, 'ForbiddenException', 'No access');
  const issued: Credentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(60).toString('base64'),
  };
  const json = JSON.stringify({ roleCredentials: { ...issued, expiration: now + 3600_000 } });
  return { status: 200, json, issued };
}

function error(status: number, type: string, message: string): SsoAnswer {
  return { status, json: JSON.stringify({ message }), errorType: type };
}

export const OIDC_TOKEN_PATH = '/token';

/** A client registration `aws sso login` made, with the refresh token it holds now. */
export interface SsoOidcClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type OidcAnswer = { status: number; json: string; errorType?: string; accessToken?: string };

export function isCreateTokenRequest(method: string, url: string): boolean {
  return method === 'POST' && url.split('?', 1)[0] === OIDC_TOKEN_PATH;
}

/** CreateToken for these clients (copied: refreshes rotate their refresh tokens). */
export function ssoOidc(clients: readonly SsoOidcClient[]): (body: Buffer) => OidcAnswer {
  const known = new Map(clients.map((c) => [c.clientId, { ...c }]));
  return (body) => {
    let input: Record<string, unknown> | undefined;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      input = undefined;
    }
    const { clientId, clientSecret, refreshToken, grantType } = input ?? {};
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || typeof grantType !== 'string') {
      return oauthError(400, 'InvalidRequestException', 'invalid_request', 'clientId, clientSecret and grantType are required');
    }
    if (grantType !== 'refresh_token') return oauthError(400, 'UnsupportedGrantTypeException', 'unsupported_grant_type', 'only refresh_token is emulated');
    const client = known.get(clientId);
    if (client === undefined || client.clientSecret !== clientSecret) return oauthError(401, 'InvalidClientException', 'invalid_client', 'Invalid client');
    if (typeof refreshToken !== 'string' || refreshToken !== client.refreshToken) return oauthError(400, 'InvalidGrantException', 'invalid_grant', 'Invalid refresh token provided');
    const accessToken = `aoa${randomBytes(24).toString('base64url')}`;
    client.refreshToken = `aor${randomBytes(24).toString('base64url')}`;
    return { status: 200, json: JSON.stringify({ accessToken, tokenType: 'Bearer', expiresIn: 3600, refreshToken: client.refreshToken }), accessToken };
  };
}

function oauthError(status: number, type: string, error: string, description: string): OidcAnswer {
  return { status, json: JSON.stringify({ error, error_description: description }), errorType: type };
}
