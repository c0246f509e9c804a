import type { HeaderMap, UpstreamRequest } from '@gw/plugin-api';
import type { AnthropicPlan } from '../../phases/state.js';
import { hostHeader } from '../endpoint.js';

export function applyAnthropicPlan(plan: AnthropicPlan, upstream: UpstreamRequest): void {
  const headers: HeaderMap = { ...upstream.headers, host: hostHeader(plan.endpoint) };
  for (const [name, value] of Object.entries(plan.headers)) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  upstream.method = 'POST';
  upstream.scheme = plan.endpoint.scheme;
  upstream.host = plan.endpoint.host;
  upstream.port = plan.endpoint.port;
  upstream.path = plan.path;
  upstream.query = plan.query;
  upstream.headers = headers;
  if (plan.body !== undefined) upstream.body = plan.body;
}
