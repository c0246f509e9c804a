import type { BodyBytes } from '@gw/plugin-api';
import type { HeaderMap } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { RouteKind } from '../../exchange.js';
import type { AnthropicPlan } from '../../phases/state.js';
import type { ParsedBody } from '../../formats/anthropic/body.js';
import { writeMembersPieces } from '../../shared/json-members.js';
import { applyOptions } from '../../formats/anthropic/options.js';
import { parseEndpoint } from '../../backends/endpoint.js';
import { latin1Of } from '../../shared/byte-text.js';

export const ANTHROPIC_URL = 'https://api.anthropic.com';

export interface AnthropicPlanInput {
  config: AiProxyConfig;
  kind: RouteKind;
  model: string;
  clientModel: string | undefined;
  /** The client asked to stream, or response_streaming forces it. */
  stream: boolean;
  body: ParsedBody;
  query: string;
  clientHeaders: Readonly<HeaderMap>;
}

/**
 * Anthropic is the client's own format: the body passes through unchanged except `model` (after
 * aliasing), model.options overrides (chat only: count_tokens takes no sampling fields) and a forced
 * `stream`. Auth per Kong: the configured header/param replaces the client's unless allow_override and
 * the client sent one; with no auth configured, the client's own key goes through.
 */
export function planAnthropic(input: AnthropicPlanInput): { plan: AnthropicPlan; sent: BodyBytes } {
  const { config, kind } = input;
  const options = config.model.options;
  const url = options?.upstream_url ?? ANTHROPIC_URL;
  const endpoint = parseEndpoint(url);
  const prefix = endpoint.prefix.replace(/\/v1\/messages(?:\/count_tokens)?$/, '');
  const path = `${prefix}${kind === 'chat' ? '/v1/messages' : '/v1/messages/count_tokens'}`;

  // Spliced as the latin1 view (shared/byte-text.ts): untouched members keep their bytes.
  let body: Buffer[] | undefined;
  const forceStream = kind === 'chat' && input.stream && !input.body.stream;
  const overrides = kind === 'chat' && options !== undefined &&
    (options.max_tokens !== undefined || options.temperature !== undefined || options.top_p !== undefined || options.top_k !== undefined);
  if (input.model !== input.clientModel || forceStream || overrides) {
    const members = new Map(input.body.members);
    members.set('model', latin1Of(JSON.stringify(input.model)));
    if (kind === 'chat') applyOptions(members, options);
    if (forceStream) members.set('stream', 'true');
    body = writeMembersPieces(members, input.body);
  }

  const headers: Record<string, string | null> = { 'accept-encoding': 'identity', 'content-length': null };
  if (options?.anthropic_version) headers['anthropic-version'] = options.anthropic_version;
  const auth = config.auth;
  if (auth?.header_name && auth.header_value) {
    const name = auth.header_name.toLowerCase();
    const clientHas = input.clientHeaders[name] !== undefined;
    if (!(auth.allow_override && clientHas)) {
      headers['x-api-key'] = null;
      headers.authorization = null;
      headers[name] = auth.header_value;
    }
  }
  let query = input.query;
  if (auth?.param_name && auth.param_value && auth.param_location === 'query') {
    const params = new URLSearchParams(query);
    if (!(auth.allow_override && params.has(auth.param_name))) params.set(auth.param_name, auth.param_value);
    query = params.toString();
  }
  return {
    plan: { provider: 'anthropic', kind, endpoint, path, query, body, headers },
    sent: body ?? input.body.bytes,
  };
}
