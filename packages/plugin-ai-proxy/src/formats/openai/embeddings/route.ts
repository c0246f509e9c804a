import { GatewayError } from '@gw/plugin-api';
import type { RouteKind } from '../../../exchange.js';

/** OpenAI clients append `/embeddings` to their base URL (any route prefix, with or without `/v1`, any query). */
const EMBEDDINGS = /\/embeddings\/?$/;

export function classifyEmbeddingsRoute(method: string, path: string): RouteKind {
  if (!EMBEDDINGS.test(path)) throw new GatewayError('GW_ERR_AI_NOT_FOUND', { message: 'this route serves only /v1/embeddings' });
  if (method !== 'POST') throw new GatewayError('GW_ERR_AI_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } });
  return 'embeddings';
}
