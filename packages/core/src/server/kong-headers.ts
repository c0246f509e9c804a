/** gw's own headers on a response (Kong's X-Kong-*, request-id, Server), as the header policy allows. */
import type { HeaderMap } from '@gw/plugin-api';
import { now, type Exchange } from '../runtime/exchange.js';
import { SERVER } from './version.js';

const ms = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? '0' : String(Math.max(0, Math.round(to - from)));

/** gw's headers on a response it produced itself, as the header policy allows. */
export function kongHeaders(ex: Exchange, headers: HeaderMap): HeaderMap {
  ex.timing.responded ??= now();
  const policy = ex.headerPolicy;
  if (policy.requestId) {
    headers['x-kong-request-id'] = ex.id;
    // Anthropic's API answers every request with `request-id` (its SDKs' `_request_id`); a plugin's own may stand.
    headers['request-id'] ??= ex.id;
    // OpenAI's with `x-request-id` (its SDKs' `_request_id` and APIError.requestID), for clients of that format.
    if (ex.errorFormat === 'openai') headers['x-request-id'] ??= ex.id;
  }
  if (policy.responseLatency) headers['x-kong-response-latency'] = ms(ex.timing.start, ex.timing.responded);
  if (policy.server) headers.server = SERVER;
  return headers;
}

/** gw's headers on a proxied response, as the header policy allows, pushed onto a flat [name, value, …] list. */
export function upstreamKongHeaders(ex: Exchange, status: number, list: string[]): string[] {
  const policy = ex.headerPolicy;
  if (policy.upstreamLatency) list.push('x-kong-upstream-latency', ms(ex.timing.upstreamStart, ex.timing.upstreamFirstByte));
  if (policy.proxyLatency) list.push('x-kong-proxy-latency', ms(ex.timing.start, ex.timing.upstreamStart));
  if (policy.upstreamStatus) list.push('x-kong-upstream-status', String(status));
  if (policy.requestId) list.push('x-kong-request-id', ex.id);
  return list;
}
