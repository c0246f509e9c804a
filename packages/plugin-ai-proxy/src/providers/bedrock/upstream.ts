import type { UpstreamRequest } from '@gw/plugin-api';
import type { BedrockPlan } from '../../request/plan.js';
import { signBedrock } from './sign.js';
import { hostHeader } from '../endpoint.js';

/**
 * Client headers that must never reach Bedrock: the client's own credentials, Anthropic headers (betas
 * travel in the body), and everything the signature or the transformed body determines. (`__proto__`
 * too: as a plain key it would replace the header object's prototype.)
 */
const DROP = /^(?:authorization|proxy-authorization|x-api-key|cookie|anthropic-.*|x-amz-.*|host|content-length|content-type|content-encoding|accept|accept-encoding|transfer-encoding|expect|x-amzn-bedrock-.*|__proto__)$/;

/** Point the upstream request at Bedrock and sign it; runs before every attempt, so the date is fresh. */
export function applyBedrockPlan(plan: BedrockPlan, upstream: UpstreamRequest, date?: Date): void {
  const host = hostHeader(plan.endpoint);
  const headers: typeof upstream.headers = {};
  for (const name of Object.keys(upstream.headers)) if (!DROP.test(name)) headers[name] = upstream.headers[name];
  const toSign: Record<string, string> = { 'content-type': 'application/json' };
  // Streams: Bedrock answers application/vnd.amazon.eventstream; the SDK asks for the chunk payload type
  // with x-amzn-bedrock-accept (bedrock-wire.md §4).
  if (plan.stream) toSign['x-amzn-bedrock-accept'] = 'application/json';
  else toSign.accept = 'application/json';
  const signed = signBedrock({
    method: 'POST',
    host,
    path: plan.path,
    query: '',
    headers: toSign,
    body: plan.body,
    region: plan.region,
    credentials: plan.credentials,
    date,
  });
  upstream.method = 'POST';
  upstream.scheme = plan.endpoint.scheme;
  upstream.host = plan.endpoint.host;
  upstream.port = plan.endpoint.port;
  upstream.path = plan.path;
  upstream.query = '';
  // identity: a compressed event stream can't be decoded chunk by chunk (kong-compat.md pitfall 10).
  Object.assign(headers, signed);
  headers['accept-encoding'] = 'identity';
  upstream.headers = headers;
  upstream.body = plan.body;
}
