/**
 * Where an OpenAI API call goes and with which headers. As Kong: `https://api.openai.com:443` with the
 * operation's path (`/v1/chat/completions`), or `model.options.upstream_url` as the whole URL. Unlike Kong,
 * an upstream_url that is a base URL (`http://vllm:8000/v1`, what OpenAI clients are configured with) gets
 * the operation's path appended instead of being called as is (Kong would POST to `/v1`). Auth is Kong's key
 * auth (auth/api-key.ts): `auth.header_name: Authorization`, `header_value: Bearer sk-…`, or a query parameter.
 */
import type { BodyBytes, HeaderMap } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { applyKeyAuth } from '../../auth/api-key.js';
import { parseEndpoint } from '../endpoint.js';
import type { KeyedPlan } from '../keyed-plan.js';

export const OPENAI_URL = 'https://api.openai.com:443';

export type OpenAiOperation = 'chat' | 'embeddings';

const PATHS: Readonly<Record<OpenAiOperation, string>> = { chat: '/chat/completions', embeddings: '/embeddings' };
/** A full operation URL (Kong's form) keeps only its base. */
const OPERATION_SUFFIX = /\/(?:chat\/completions|embeddings)$/;

export interface OpenAiPlan extends KeyedPlan {
  /** The key sent is the gateway's (auth configured and not overridden): an upstream 401 is gw's problem, not the client's. */
  gatewayKey: boolean;
}

export interface OpenAiCall {
  config: AiProxyConfig;
  operation: OpenAiOperation;
  /** Replacement body; undefined sends the client's bytes. */
  body: BodyBytes | undefined;
  query: string;
  clientHeaders: Readonly<HeaderMap>;
}

export function planOpenAiCall(call: OpenAiCall): OpenAiPlan {
  const options = call.config.model.options;
  const endpoint = parseEndpoint(options?.upstream_url ?? OPENAI_URL);
  // No path at all: OpenAI's own layout (/v1/…); a base URL keeps its path (…/v1, …/openai/v1, …).
  const base = endpoint.prefix === '' ? '/v1' : endpoint.prefix.replace(OPERATION_SUFFIX, '');
  // Identity: the answer is scanned for usage on its way through; a compressed one could not be.
  const headers: Record<string, string | null> = { 'accept-encoding': 'identity', 'content-length': null };
  const auth = call.config.auth;
  const query = applyKeyAuth(auth, call.clientHeaders, call.query, headers);
  const gatewayKey = Boolean(
    (auth?.header_name && auth.header_value && headers[auth.header_name.toLowerCase()] === auth.header_value) ||
      (auth?.param_name && auth.param_value && new URLSearchParams(query).get(auth.param_name) === auth.param_value),
  );
  return { endpoint, path: `${base}${PATHS[call.operation]}`, query, body: call.body, headers, gatewayKey };
}
