/**
 * Where an Anthropic API call goes and with which headers: `model.options.upstream_url` (else
 * api.anthropic.com) with the operation's path, `anthropic-version`, and Kong's key auth (auth/api-key.ts).
 */
import type { BodyBytes, HeaderMap } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { applyKeyAuth } from '../../auth/api-key.js';
import { parseEndpoint } from '../endpoint.js';
import type { KeyedPlan } from '../keyed-plan.js';

export const ANTHROPIC_URL = 'https://api.anthropic.com';

export type AnthropicOperation = 'messages' | 'count_tokens';

const PATHS: Readonly<Record<AnthropicOperation, string>> = { messages: '/v1/messages', count_tokens: '/v1/messages/count_tokens' };

export type AnthropicPlan = KeyedPlan;

export interface AnthropicCall {
  config: AiProxyConfig;
  operation: AnthropicOperation;
  /** Replacement body; undefined sends the client's bytes. */
  body: BodyBytes | undefined;
  query: string;
  clientHeaders: Readonly<HeaderMap>;
}

export function planAnthropicCall(call: AnthropicCall): AnthropicPlan {
  const options = call.config.model.options;
  const endpoint = parseEndpoint(options?.upstream_url ?? ANTHROPIC_URL);
  // A Kong-style full URL (…/v1/messages) keeps only what precedes it: one path can't serve both operations.
  const prefix = endpoint.prefix.replace(/\/v1\/messages(?:\/count_tokens)?$/, '');
  const headers: Record<string, string | null> = { 'accept-encoding': 'identity', 'content-length': null };
  if (options?.anthropic_version) headers['anthropic-version'] = options.anthropic_version;
  const query = applyKeyAuth(call.config.auth, call.clientHeaders, call.query, headers);
  return { endpoint, path: `${prefix}${PATHS[call.operation]}`, query, body: call.body, headers };
}
