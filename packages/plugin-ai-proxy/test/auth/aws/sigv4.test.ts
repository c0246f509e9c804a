import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { signBedrock, amzDate } from '../../../src/auth/aws/sign.js';
import { applyBedrockPlan } from '../../../src/backends/bedrock/upstream.js';
import { modelPath } from '../../../src/backends/bedrock/url.js';
import type { BedrockPlan } from '../../../src/backends/bedrock/plan.js';
import type { Endpoint } from '../../../src/backends/endpoint.js';
import type { BodyBytes, UpstreamRequest } from '@gw/plugin-api';
import { joinBytes } from '../../../src/text/byte-text.js';
import { readFixture } from '../../support/fixtures.js';

// The real AWS SDK signer, resolved through the SDK client that is a dev dependency of the workspace.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'));
interface Signer {
  sign(request: object, options: { signingDate: Date }): Promise<{ headers: Record<string, string> }>;
}
const { SignatureV4 } = sdkRequire('@smithy/signature-v4') as { SignatureV4: new (options: object) => Signer };

/** SHA-256 / HMAC-SHA256 in the shape smithy expects (its own hash package isn't installed). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const DATE = new Date('2026-11-24T09:27:42Z');

/** What the SDK's signer says Authorization must be for exactly these headers (and the body's bytes, joined). */
async function sdkAuthorization(request: { host: string; path: string; headers: Record<string, string>; body: BodyBytes }, region: string, date: Date) {
  const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.authorization)![1].split(';');
  const headers = Object.fromEntries(signedNames.map((name) => [name, request.headers[name]]));
  const signer = new SignatureV4({ service: 'bedrock', region, credentials: CREDENTIALS, sha256: NodeSha256 as never, applyChecksum: true });
  const [hostname, port] = request.host.split(':');
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname, port: port ? Number(port) : undefined, path: request.path, query: {}, headers, body: joinBytes(request.body) },
    { signingDate: date },
  );
  return signed.headers.authorization;
}

function upstreamFor(plan: BedrockPlan, clientHeaders: Record<string, string> = {}): UpstreamRequest {
  const upstream: UpstreamRequest = { method: 'POST', scheme: 'http', host: 'x', port: 1, path: '/', query: 'beta=true', headers: { ...clientHeaders }, body: undefined };
  applyBedrockPlan(plan, upstream, DATE);
  return upstream;
}

function plan(model: string, stream: boolean, endpoint: Endpoint = { scheme: 'https', host: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443, prefix: '' }, credentials: BedrockPlan['credentials'] = CREDENTIALS): BedrockPlan {
  return {
    endpoint,
    path: modelPath(endpoint.prefix, model, stream ? 'invoke-with-response-stream' : 'invoke'),
    operation: stream ? 'invoke-with-response-stream' : 'invoke',
    stream,
    body: new TextEncoder().encode('{"max_tokens":5,"messages":[{"role":"user","content":"hi"}],"anthropic_version":"bedrock-2023-05-31"}'),
    region: 'us-west-2',
    credentials,
  };
}

describe('SigV4 for Bedrock', () => {
  it('reproduces the AWS SDK signature of a captured InvokeModel request', () => {
    const capture = readFixture<{ requests: { headers: Record<string, string>; url: string; body: unknown }[] }>('bedrock/aws-sdk-requests-h1.json').requests[0];
    const signedNames = /SignedHeaders=([^,]+)/.exec(capture.headers.authorization)![1].split(';');
    const extra = Object.fromEntries(signedNames.filter((name) => !['host', 'content-length', 'x-amz-date', 'x-amz-content-sha256'].includes(name)).map((name) => [name, capture.headers[name]]));
    const headers = signBedrock({
      method: 'POST',
      host: capture.headers.host,
      path: capture.url,
      query: '',
      headers: extra,
      body: new TextEncoder().encode(JSON.stringify(capture.body)),
      region: 'us-west-2',
      credentials: CREDENTIALS,
      date: DATE,
    });
    expect(headers['x-amz-content-sha256']).toBe(capture.headers['x-amz-content-sha256']);
    expect(headers.authorization).toBe(capture.headers.authorization);

    // The same bytes in pieces (as ai-proxy sends a rewritten body) sign the same.
    const bytes = Buffer.from(JSON.stringify(capture.body));
    const cuts = [0, 1, 7, 100, bytes.length - 1, bytes.length];
    const pieces = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
    const inPieces = signBedrock({ method: 'POST', host: capture.headers.host, path: capture.url, query: '', headers: extra, body: pieces, region: 'us-west-2', credentials: CREDENTIALS, date: DATE });
    expect(inPieces.authorization).toBe(capture.headers.authorization);
    expect(inPieces['content-length']).toBe(String(bytes.length));
  });

  it('matches the from-scratch vector in sigv4-verify.json', () => {
    const vector = readFixture<{ fromScratch: { canonicalRequest: string; smithyAuthorization: string } }>('bedrock/sigv4-verify.json').fromScratch;
    expect(amzDate(new Date('2025-01-01T00:00:00Z'))).toBe('20250101T000000Z');
    // The vector pins the payload hash, not the body; check that our canonical URI rule is the vector's.
    expect(vector.canonicalRequest.split('\n')[1]).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%253A0/invoke');
    expect(modelPath('', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', 'invoke')).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke');
  });

  const models = [
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
    'anthropic.claude-3-5-haiku-20241022-v1:0',
  ];
  it.each(models.flatMap((model) => [[model, false], [model, true]] as const))('%s (stream %s): the SDK signer agrees with what we send', async (model, stream) => {
    const upstream = upstreamFor(plan(model, stream), { 'x-api-key': 'client-secret', authorization: 'Bearer client', 'anthropic-beta': 'x', 'x-app': 'cli' });
    const headers = upstream.headers as Record<string, string>;
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261124\/us-west-2\/bedrock\/aws4_request, /);
    const expected = await sdkAuthorization({ host: headers.host, path: upstream.path, headers, body: upstream.body! }, 'us-west-2', DATE);
    expect(headers.authorization).toBe(expected);
  });

  it('signs host:port for a non-default port and the session token', async () => {
    const upstream = upstreamFor(plan(models[0], true, { scheme: 'http', host: '127.0.0.1', port: 4599, prefix: '/bedrock' }, { ...CREDENTIALS, sessionToken: 'TOKEN' }));
    const headers = upstream.headers as Record<string, string>;
    expect(headers.host).toBe('127.0.0.1:4599');
    expect(upstream.path).toBe('/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream');
    expect(headers['x-amz-security-token']).toBe('TOKEN');
    expect(headers.authorization).toContain('x-amz-security-token');
    expect(headers.authorization).toBe(await sdkAuthorization({ host: headers.host, path: upstream.path, headers, body: upstream.body! }, 'us-west-2', DATE));
  });

  it('signs a query string the way the SDK does', async () => {
    const body = new TextEncoder().encode('{}');
    const headers = signBedrock({
      method: 'POST', host: 'h.example', path: '/model/m%3A0/invoke', query: 'b=2&a=1%20x&a=0', headers: { 'content-type': 'application/json' },
      body, region: 'us-east-1', credentials: CREDENTIALS, date: DATE,
    });
    const signer = new SignatureV4({ service: 'bedrock', region: 'us-east-1', credentials: CREDENTIALS, sha256: NodeSha256 as never, applyChecksum: true });
    const signed = await signer.sign(
      { method: 'POST', protocol: 'https:', hostname: 'h.example', path: '/model/m%3A0/invoke', query: { b: '2', a: ['1 x', '0'] }, headers: { ...headers, authorization: undefined }, body },
      { signingDate: DATE },
    );
    expect(headers.authorization).toBe(signed.headers.authorization);
  });

  it.each(['converse', 'converse-stream'] as const)('signs %s with the headers the AWS SDK sends for it (no accept, no x-amzn-bedrock-accept)', async (operation) => {
    const endpoint: Endpoint = { scheme: 'https', host: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443, prefix: '' };
    const p: BedrockPlan = { ...plan(models[0], operation === 'converse-stream'), path: modelPath('', models[0], operation), operation, endpoint };
    const upstream = upstreamFor(p);
    const headers = upstream.headers as Record<string, string>;
    expect(upstream.path).toBe(`/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/${operation}`);
    expect(headers).not.toHaveProperty('accept');
    expect(headers).not.toHaveProperty('x-amzn-bedrock-accept');
    expect(headers['content-type']).toBe('application/json');
    expect(headers.authorization).toBe(await sdkAuthorization({ host: headers.host, path: upstream.path, headers, body: upstream.body! }, 'us-west-2', DATE));
  });

  it('re-signs on every attempt with a fresh date', () => {
    const p = plan(models[0], false);
    const first = upstreamFor(p);
    const retry: UpstreamRequest = { ...first, headers: { ...first.headers } };
    applyBedrockPlan(p, retry, new Date(DATE.getTime() + 60_000));
    expect(retry.headers['x-amz-date']).toBe('20261124T092842Z');
    expect(retry.headers.authorization).not.toBe(first.headers.authorization);
  });

  it('sends no client credentials or Anthropic headers to Bedrock, only tracing and forwarding ones', () => {
    const upstream = upstreamFor(plan(models[0], true), {
      'x-api-key': 'k', authorization: 'Bearer t', cookie: 'c', 'anthropic-beta': 'b', 'anthropic-version': 'v', 'x-app': 'cli',
      'accept-encoding': 'br', apikey: 'key-auth-key', 'x-consumer-username': 'dev', 'x-custom-token': 't', 'user-agent': 'claude-cli/2.1.330', 'x-forwarded-for': '10.0.0.1',
    });
    const headers = upstream.headers as Record<string, string>;
    expect(headers).not.toHaveProperty('x-api-key');
    expect(headers).not.toHaveProperty('cookie');
    expect(headers).not.toHaveProperty('anthropic-beta');
    expect(headers).not.toHaveProperty('anthropic-version');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    for (const name of ['x-app', 'apikey', 'x-consumer-username', 'x-custom-token']) expect(headers).not.toHaveProperty(name);
    expect(headers['user-agent']).toBe('claude-cli/2.1.330');
    expect(headers['x-forwarded-for']).toBe('10.0.0.1');
    expect(headers['accept-encoding']).toBe('identity');
    expect(headers['x-amzn-bedrock-accept']).toBe('application/json');
    expect(headers['content-type']).toBe('application/json');
    expect(upstream.query).toBe('');
    expect(upstream.scheme).toBe('https');
    expect(upstream.port).toBe(443);
    expect(headers.host).toBe('bedrock-runtime.us-west-2.amazonaws.com');
  });
});
