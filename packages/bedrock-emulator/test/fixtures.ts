// Helpers for the emulator tests: fixture paths and a minimal signed HTTP client.
import { createHash } from 'node:crypto';
import { canonicalRequest, signature, stringToSign } from '../src/sigv4.js';
import { fixtureBytes as repoFixtureBytes, fixtureJson as repoFixtureJson } from '../../../test/fixtures.js';

// The Bedrock captures are shared with ai-proxy's tests: test/fixtures/bedrock/ at the repository root.
export const fixtureJson = <T = any>(name: string): T => repoFixtureJson<T>(`bedrock/${name}`);
export const fixtureBytes = (name: string) => repoFixtureBytes(`bedrock/${name}`);

export const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

export interface SignOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  date?: Date;
}

/**
 * Sends a SigV4-signed request with fetch, for raw-byte checks the SDK would hide. The signer is built
 * from the verifier's own pieces, which the sigv4 tests check against the AWS SDK's captured signatures.
 */
export async function signedFetch(baseUrl: string, path: string, body: string, sign: SignOptions, method = 'POST'): Promise<Response> {
  const url = new URL(path, baseUrl);
  const amzDate = (sign.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    'x-amz-date': amzDate,
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  if (sign.sessionToken) headers['x-amz-security-token'] = sign.sessionToken;
  const signed = Object.keys(headers).sort();
  const bytes = Buffer.from(body);
  const canonical = canonicalRequest({ method, url: path, headers, body: bytes }, signed, headers['x-amz-content-sha256']);
  const scope = `${amzDate.slice(0, 8)}/${sign.region}/bedrock/aws4_request`;
  const sig = signature(sign.secretAccessKey, amzDate.slice(0, 8), sign.region, 'bedrock', stringToSign(amzDate, scope, canonical));
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${sign.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${sig}`;
  delete headers.host;
  return fetch(url, { method, headers, body: method === 'GET' ? undefined : body });
}

export const anthropicBody = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 256,
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    ...extra,
  });
