import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import type { BodyBytes } from '@gw/plugin-api';
import type { AwsCredentials } from './identity.js';

export interface SignInput {
  method: string;
  /** Host header exactly as sent (with `:port` unless default). */
  host: string;
  /** Wire path, already percent-encoded; aws4 encodes it once more for the canonical URI (docs/reference/bedrock.md#sigv4). */
  path: string;
  /** Query without `?`. */
  query: string;
  /** Headers to send and sign besides host, x-amz-*, content-length (lower-case names). */
  headers: Record<string, string>;
  /** The exact bytes sent: hashed piece by piece, never joined. */
  body: BodyBytes;
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
  const pieces = input.body instanceof Uint8Array ? [input.body] : input.body;
  const hash = createHash('sha256');
  let length = 0;
  for (const piece of pieces) {
    hash.update(piece);
    length += piece.byteLength;
  }
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.host,
    'content-length': String(length),
    'x-amz-date': amzDate(input.date ?? new Date()),
    'x-amz-content-sha256': hash.digest('hex'),
  };
  if (input.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const signed = aws4.sign(
    {
      service: 'bedrock',
      region: input.region,
      method: input.method,
      host: input.host,
      path: input.query === '' ? input.path : `${input.path}?${input.query}`,
      // No body: aws4 would hash it again; it takes the hash from x-amz-content-sha256.
      headers,
    },
    { accessKeyId: input.credentials.accessKeyId, secretAccessKey: input.credentials.secretAccessKey },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) out[name.toLowerCase()] = String(value);
  return out;
}
