/**
 * Who may use the admin API. Kong's admin_listen is loopback by default and open to whoever reaches it;
 * gw keeps the loopback default and refuses to listen anywhere else without a token, because the admin
 * API can replace the config (and with it where credentials are sent). The token goes in Kong's RBAC
 * header `Kong-Admin-Token` or in `Authorization: Bearer`; it is compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopback } from '../runtime/open-routes.js';

/** Kong RBAC's 401 message. */
export const UNAUTHORIZED_MESSAGE = 'Invalid credentials. Token or User credentials required';

/** Why gw won't listen there, or undefined when it may. */
export function adminListenRefusal(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && token.length > 0) return undefined;
  if (isLoopback(host)) return undefined;
  return `the admin API would listen on ${host}, which other machines can reach, without a token: set --admin-token or GW_ADMIN_TOKEN, or listen on 127.0.0.1`;
}

/**
 * A checker for one configured token. Both sides are hashed first, so the comparison takes the same time
 * whatever the presented token's length and wherever it first differs.
 */
export function tokenChecker(token: string): (headers: Headers) => boolean {
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (headers) => {
    const presented = headers.get('kong-admin-token') ?? /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
    if (presented === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(presented, 'utf8').digest(), expected);
  };
}
