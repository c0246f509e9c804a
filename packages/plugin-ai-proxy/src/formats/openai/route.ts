import { GatewayError } from '@gw/plugin-api';
import type { RouteKind } from '../../exchange.js';

/** What this format's routes serve, by path suffix (any route prefix, with or without `/v1`, any query). */
const ENDPOINTS: readonly { suffix: RegExp; kind: RouteKind }[] = [{ suffix: /\/chat\/completions\/?$/, kind: 'chat' }];

export const SERVED_PATHS = '/v1/chat/completions';

/** Which Chat Completions endpoint a request is for: OpenAI clients append `/chat/completions` to their base URL. */
export function classifyRoute(method: string, path: string): RouteKind {
  const kind = ENDPOINTS.find((endpoint) => endpoint.suffix.test(path))?.kind;
  if (kind === undefined) throw new GatewayError('GW_ERR_AI_NOT_FOUND', { message: `this route serves only ${SERVED_PATHS}` });
  if (method !== 'POST') throw new GatewayError('GW_ERR_AI_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } });
  return kind;
}
