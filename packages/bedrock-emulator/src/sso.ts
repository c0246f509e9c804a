/**
 * The IAM Identity Center (SSO) portal's GetRoleCredentials, enough for gw's SSO profiles:
 * `GET /federation/credentials?role_name=…&account_id=…` with the `x-amz-sso_bearer_token` header that
 * `aws sso login` made possible. A token the emulator was configured with (`ssoAccessTokens`) gets
 * temporary role credentials (one hour, `ASIA…`) that the Bedrock side then accepts, as after STS
 * (sts.ts); any other token is a 401, as the portal answers for a token it doesn't know. A role name
 * containing `denied` is a 403, as for a role the user isn't assigned.
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
