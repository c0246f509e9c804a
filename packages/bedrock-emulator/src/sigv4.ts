// Independent SigV4 verification (node:crypto only), following the rules in docs/reference/bedrock.md#sigv4.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedRequest {
  method: string;
  /** The raw request target as received: path plus optional `?query`, not decoded. */
  url: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export interface VerifyOptions {
  credentials: readonly Credentials[];
  region: string;
  service?: string;
  now?: Date;
  /** Allowed clock skew; AWS allows 5 minutes. */
  maxSkewMs?: number;
}

export type AuthFailure = { status: number; type: string; message: string };
export type VerifyResult = { ok: true; accessKeyId: string } | ({ ok: false } & AuthFailure);

const ALGORITHM = 'AWS4-HMAC-SHA256';
const FIVE_MINUTES = 5 * 60_000;

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding of everything but unreserved characters (`%` included, hence "double" encoding). */
export function uriEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

/** Non-S3 services encode each wire path segment once more; the wire form is what was signed. */
export function canonicalUri(rawPath: string): string {
  return rawPath.split('/').map(uriEncode).join('/') || '/';
}

export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

export function canonicalRequest(
  req: SignedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
  headerOverrides: Record<string, string> = {},
): string {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const headerLines = signedHeaders.map((name) => {
    const value = headerOverrides[name] ?? req.headers[name] ?? '';
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [
    req.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    headerLines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signature(secret: string, date: string, region: string, service: string, toSign: string): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization | string {
  if (!value.startsWith(`${ALGORITHM} `)) return `Authorization header requires '${ALGORITHM}' as its algorithm.`;
  const params = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!params.get(name)) return `Authorization header requires '${name}' parameter.`;
  }
  const [accessKeyId, date, region, service, terminator, ...rest] = params.get('Credential')!.split('/');
  if (!terminator || rest.length > 0) return `Credential is malformed: it must be <access key>/<date>/<region>/<service>/aws4_request.`;
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: params.get('SignedHeaders')!.split(';'),
    signature: params.get('Signature')!,
  };
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

const compactDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

const fail = (status: number, type: string, message: string): VerifyResult => ({ ok: false, status, type, message });

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Verifies the request the way AWS answers: the failure carries Bedrock's error type, status and message. */
export function verifySigV4(req: SignedRequest, options: VerifyOptions): VerifyResult {
  const service = options.service ?? 'bedrock';
  const authorization = req.headers['authorization'];
  if (!authorization) return fail(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  if (typeof auth === 'string') return fail(400, 'IncompleteSignatureException', auth);

  const amzDate = req.headers['x-amz-date'];
  const signedAt = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !signedAt) {
    return fail(400, 'IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (!auth.signedHeaders.includes('host') && !auth.signedHeaders.includes(':authority')) {
    return fail(400, 'IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const credentials = options.credentials.find((c) => c.accessKeyId === auth.accessKeyId);
  if (!credentials) return fail(403, 'UnrecognizedClientException', INVALID_TOKEN);
  if ((credentials.sessionToken ?? '') !== (req.headers['x-amz-security-token'] ?? '')) {
    return fail(403, 'UnrecognizedClientException', INVALID_TOKEN);
  }

  if (auth.terminator !== 'aws4_request') {
    return fail(403, 'InvalidSignatureException', "Credential should be scoped with a valid terminator: 'aws4_request'.");
  }
  if (auth.service !== service) {
    return fail(403, 'InvalidSignatureException', `Credential should be scoped to correct service: '${service}'. `);
  }
  if (auth.region !== options.region) {
    return fail(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${auth.region}'. `);
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    return fail(403, 'InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }

  const now = options.now ?? new Date();
  const maxSkew = options.maxSkewMs ?? FIVE_MINUTES;
  const skewMin = `${Math.round(maxSkew / 60_000)} min.`;
  if (now.getTime() - signedAt.getTime() > maxSkew) {
    const earliest = compactDate(new Date(now.getTime() - maxSkew));
    return fail(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${earliest} (${compactDate(now)} - ${skewMin})`);
  }
  if (signedAt.getTime() - now.getTime() > maxSkew) {
    const latest = compactDate(new Date(now.getTime() + maxSkew));
    return fail(403, 'InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${latest} (${compactDate(now)} + ${skewMin})`);
  }

  const payloadHash = sha256Hex(req.body);
  const claimedHash = req.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== 'UNSIGNED-PAYLOAD' && claimedHash !== payloadHash) {
    return fail(403, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const hashLine = claimedHash === 'UNSIGNED-PAYLOAD' ? claimedHash : payloadHash;

  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const provided = Buffer.from(auth.signature.toLowerCase());
  let firstCanonical = '';
  for (const overrides of hostVariants(req.headers['host'])) {
    const canonical = canonicalRequest(req, auth.signedHeaders, hashLine, overrides);
    firstCanonical ||= canonical;
    const expected = Buffer.from(signature(credentials.secretAccessKey, auth.date, auth.region, auth.service, stringToSign(amzDate, scope, canonical)));
    if (expected.length === provided.length && timingSafeEqual(expected, provided)) {
      return { ok: true, accessKeyId: auth.accessKeyId };
    }
  }
  // AWS explains a mismatch with the canonical request it computed; the session token is not repeated.
  const shown = firstCanonical.replace(/^x-amz-security-token:.*$/m, 'x-amz-security-token:<redacted>');
  return fail(
    403,
    'InvalidSignatureException',
    `${MISMATCH}\n\nThe Canonical String for this request should have been\n'${shown}'\n\nThe String-to-Sign should have been\n'${stringToSign(amzDate, scope, firstCanonical)}'\n`,
  );
}

/** Some signers (Claude Code 2.0.37) sign `host` without the port they send; accept both forms. */
function hostVariants(host: string | undefined): Record<string, string>[] {
  const variants: Record<string, string>[] = [{}];
  const portless = host?.replace(/:\d+$/, '');
  if (host && portless && portless !== host) variants.push({ host: portless });
  return variants;
}
