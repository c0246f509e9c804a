import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalRequest, signature, stringToSign, verifySigV4 } from '../src/sigv4.js';
import type { SignedRequest } from '../src/sigv4.js';
import { fixtureJson } from './fixtures.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const credentials = [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }];

interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  bodyBytes: number;
}

const atDate = (amzDate: string) =>
  new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);

function toSigned(r: CapturedRequest): SignedRequest {
  const body = r.bodyBytes === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(r.body));
  return { method: r.method, url: r.url, headers: r.headers, body };
}

describe('verifySigV4 against the AWS SDK captures', () => {
  for (const proto of ['h1', 'h2']) {
    it(`accepts every captured ${proto} SDK request`, () => {
      const { requests } = fixtureJson<{ requests: CapturedRequest[] }>(`aws-sdk-requests-${proto}.json`);
      expect(requests.length).toBeGreaterThan(50);
      for (const r of requests) {
        const result = verifySigV4(toSigned(r), { credentials, region: 'us-west-2', now: atDate(r.headers['x-amz-date']) });
        expect(result, r.url).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
      }
    });
  }

  it('accepts Claude Code 2.1.330 GET /inference-profiles (query string, empty body)', () => {
    const { requests } = fixtureJson<{ requests: CapturedRequest[] }>('claude-code-bedrock-mode-2.1.330.full.json');
    const r = requests[0];
    expect(r.url).toContain('?type=SYSTEM_DEFINED');
    expect(verifySigV4(toSigned(r), { credentials, region: 'us-west-2', now: atDate(r.headers['x-amz-date']) }).ok).toBe(true);
  });

  it('builds the canonical request of sigv4-verify.json (double-encoded path)', () => {
    const { cases } = fixtureJson<{ cases: { wirePath: string; canonicalRequest?: string; signedHeaders: string }[] }>('sigv4-verify.json');
    const withCanonical = cases.filter((c) => c.canonicalRequest);
    expect(withCanonical.length).toBeGreaterThan(0);
    for (const c of withCanonical) {
      const lines = c.canonicalRequest!.split('\n');
      const headers = Object.fromEntries(
        lines.slice(3, 3 + c.signedHeaders.split(';').length).map((l) => [l.slice(0, l.indexOf(':', 1)), l.slice(l.indexOf(':', 1) + 1)]),
      );
      const built = canonicalRequest({ method: 'POST', url: c.wirePath, headers, body: new Uint8Array() }, c.signedHeaders.split(';'), lines.at(-1)!);
      expect(built).toBe(c.canonicalRequest);
      expect(built.split('\n')[1]).toContain('%253A0');
    }
  });
});

describe('verifySigV4 failures, answered like AWS', () => {
  const { requests } = fixtureJson<{ requests: CapturedRequest[] }>('aws-sdk-requests-h1.json');
  const sample = requests[0];
  const now = atDate(sample.headers['x-amz-date']);
  const verify = (req: SignedRequest, opts: Partial<Parameters<typeof verifySigV4>[1]> = {}) =>
    verifySigV4(req, { credentials, region: 'us-west-2', now, ...opts });

  it('rejects a wrong secret with InvalidSignatureException and never echoes the secret', () => {
    const result = verify(toSigned(sample), { credentials: [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-the-secret' }] });
    expect(result).toMatchObject({ ok: false, status: 403, type: 'InvalidSignatureException' });
    expect(JSON.stringify(result)).not.toContain('not-the-secret');
    expect(JSON.stringify(result)).toContain('%253A0');
  });

  it('rejects an unknown access key with UnrecognizedClientException', () => {
    expect(verify(toSigned(sample), { credentials: [{ accessKeyId: 'AKIDOTHER', secretAccessKey: SECRET }] })).toMatchObject({
      ok: false,
      status: 403,
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('rejects a missing or wrong session token when the key requires one', () => {
    const temp = [{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token-1' }];
    expect(verify(toSigned(sample), { credentials: temp })).toMatchObject({ type: 'UnrecognizedClientException' });
  });

  it('rejects a raw-colon path signed as %3A', () => {
    const req = toSigned(sample);
    expect(verify({ ...req, url: req.url.replace('%3A', ':') })).toMatchObject({ type: 'InvalidSignatureException' });
  });

  it('rejects a tampered body and a wrong x-amz-content-sha256', () => {
    const req = toSigned(sample);
    expect(verify({ ...req, body: Buffer.from(JSON.stringify({ ...(sample.body as object), max_tokens: 1 })) })).toMatchObject({
      type: 'InvalidSignatureException',
    });
  });

  it('rejects requests signed more than five minutes away from the clock', () => {
    const later = new Date(now.getTime() + 6 * 60_000);
    const result = verify(toSigned(sample), { now: later });
    expect(result).toMatchObject({ type: 'InvalidSignatureException' });
    expect((result as { message: string }).message).toMatch(/^Signature expired: 20261124T092742Z is now earlier than/);
    expect(verify(toSigned(sample), { now: new Date(now.getTime() - 6 * 60_000) })).toMatchObject({ type: 'InvalidSignatureException' });
    expect(verify(toSigned(sample), { now: new Date(now.getTime() + 4 * 60_000) }).ok).toBe(true);
  });

  it('rejects a scope for another region or service', () => {
    expect(verify(toSigned(sample), { region: 'us-east-1' })).toMatchObject({ type: 'InvalidSignatureException' });
    expect(verify(toSigned(sample), { service: 'bedrock-runtime' })).toMatchObject({ type: 'InvalidSignatureException' });
  });

  it('asks for authentication when there is no Authorization header', () => {
    const { authorization: _omit, ...headers } = sample.headers;
    expect(verify({ ...toSigned(sample), headers })).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
  });

  it('accepts a host signed without its port (Claude Code 2.0.37 quirk), but not another host', () => {
    const headers: Record<string, string> = { host: '127.0.0.1', 'x-amz-date': sample.headers['x-amz-date'] };
    const body = Buffer.from('{}');
    const hash = createHash('sha256').update(body).digest('hex');
    const canonical = canonicalRequest({ method: 'POST', url: sample.url, headers, body }, ['host', 'x-amz-date'], hash);
    const scope = `20261124/us-west-2/bedrock/aws4_request`;
    const sig = signature(SECRET, '20261124', 'us-west-2', 'bedrock', stringToSign(headers['x-amz-date'], scope, canonical));
    const authorization = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=host;x-amz-date, Signature=${sig}`;
    const sent = (host: string) => ({ method: 'POST', url: sample.url, body, headers: { ...headers, host, authorization } });
    expect(verify(sent('127.0.0.1:43395')).ok).toBe(true);
    expect(verify(sent('127.0.0.2:43395')).ok).toBe(false);
  });

  it('rejects a body whose hash header was updated but whose signature was not', () => {
    const body = Buffer.from(JSON.stringify({ ...(sample.body as object), max_tokens: 1 }));
    const req = toSigned(sample);
    const headers = { ...req.headers, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') };
    expect(verify({ ...req, headers, body })).toMatchObject({ type: 'InvalidSignatureException' });
  });
});
