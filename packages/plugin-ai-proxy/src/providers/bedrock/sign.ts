import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import type { AwsCredentials } from './identity.js';

export interface SignInput {
  method: string;
  /** Host header exactly as sent (with `:port` unless default). */
  host: string;
  /** Wire path, already percent-encoded; aws4 encodes it once more for the canonical URI (bedrock-wire.md §6). */
  path: string;
  /** Query without `?`. */
  query: string;
  /** Headers to send and sign besides host, x-amz-*, content-length (lower-case names). */
  headers: Record<string, string>;
  body: Uint8Array;
  region: string;
  credentials: AwsCredentials;
  /** Signing time; now when absent (re-sign on every attempt: AWS allows ±5 min clock skew). */
  date?: Date;
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/**
 * SigV4 for service `bedrock` over the exact bytes and path that go on the wire. Returns every header
 * to send (lower-case): the given ones plus host, content-length, x-amz-date, x-amz-content-sha256,
 * x-amz-security-token (temporary credentials) and authorization — all of them signed.
 */
export function signBedrock(input: SignInput): Record<string, string> {
  const body = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.host,
    'content-length': String(body.byteLength),
    'x-amz-date': amzDate(input.date ?? new Date()),
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  if (input.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const signed = aws4.sign(
    {
      service: 'bedrock',
      region: input.region,
      method: input.method,
      host: input.host,
      path: input.query === '' ? input.path : `${input.path}?${input.query}`,
      headers,
      body,
    },
    { accessKeyId: input.credentials.accessKeyId, secretAccessKey: input.credentials.secretAccessKey },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) out[name.toLowerCase()] = String(value);
  return out;
}
