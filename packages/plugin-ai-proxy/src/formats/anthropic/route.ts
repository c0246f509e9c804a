import { GatewayError } from '@gw/plugin-api';
import type { RouteKind } from '../../exchange.js';

/**
 * Which Anthropic endpoint a request is for, by path suffix: Claude Code keeps the base URL's prefix
 * (`/anything/v1/messages`) and adds `?beta=true`, so any prefix and any query are accepted.
 */
export function classifyRoute(method: string, path: string): RouteKind {
  const kind: RouteKind | undefined = /\/v1\/messages\/?$/.test(path)
    ? 'chat'
    : /\/v1\/messages\/count_tokens\/?$/.test(path)
      ? 'count_tokens'
      : undefined;
  if (kind === undefined) throw new GatewayError('GW_ERR_AI_NOT_FOUND');
  if (method !== 'POST') throw new GatewayError('GW_ERR_AI_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } });
  return kind;
}
