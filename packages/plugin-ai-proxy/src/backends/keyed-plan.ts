/**
 * A plan for a backend that takes Kong's key auth (auth/api-key.ts) rather than a signature: the
 * Anthropic API, OpenAI and OpenAI-compatible servers. Applying it is the same for all of them.
 */
import type { HeaderMap, UpstreamRequest } from '@gw/plugin-api';
import type { UpstreamPlan } from '../translators/translator.js';
import { hostHeader } from './endpoint.js';

export interface KeyedPlan extends UpstreamPlan {
  query: string;
  /** Headers to set (lower-case); `null` removes one. */
  headers: Record<string, string | null>;
}

/** Point the upstream request at the plan's endpoint with its headers (the client's, changed by the plan). */
export function applyKeyedPlan(plan: KeyedPlan, upstream: UpstreamRequest): void {
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
