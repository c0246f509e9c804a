import type { UpstreamRequest } from '@gw/plugin-api';
import type { BedrockPlan } from './plan.js';
import { signBedrock } from '../../auth/aws/sign.js';
import { hostHeader } from '../endpoint.js';

/**
 * The only client and gateway headers that go on to AWS: tracing and forwarding. Everything else stays
 * home: the client's credentials (x-api-key, authorization, a key-auth `apikey`, tokens added through
 * ANTHROPIC_CUSTOM_HEADERS), consumer headers, Anthropic headers (betas travel in the body), and all
 * that the signature or the rebuilt body determines.
 */
const KEEP = /^(?:user-agent|x-amzn-trace-id|x-forwarded-(?:for|proto|host|port|path)|x-real-ip|via|x-kong-request-id)$/;

/** Point the upstream request at Bedrock and sign it; runs before every attempt, so the date is fresh. */
export function applyBedrockPlan(plan: BedrockPlan, upstream: UpstreamRequest, date?: Date): void {
  const host = hostHeader(plan.endpoint);
  const headers: typeof upstream.headers = {};
  for (const name of Object.keys(upstream.headers)) if (KEEP.test(name)) headers[name] = upstream.headers[name];
  const toSign: Record<string, string> = { 'content-type': 'application/json' };
  // As the AWS SDK asks: InvokeModel's stream names the chunk payload type in x-amzn-bedrock-accept, the
  // other InvokeModel operations take `accept`; Converse and ConverseStream send neither.
  if (plan.operation === 'invoke-with-response-stream') toSign['x-amzn-bedrock-accept'] = 'application/json';
  else if (plan.operation === 'invoke' || plan.operation === 'count-tokens') toSign.accept = 'application/json';
  if (plan.headers !== undefined) Object.assign(toSign, plan.headers);
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
  // identity: a compressed event stream can't be decoded chunk by chunk (gzip reached Kong's clients as an empty 200).
  Object.assign(headers, signed);
  headers['accept-encoding'] = 'identity';
  upstream.headers = headers;
  upstream.body = plan.body;
}
