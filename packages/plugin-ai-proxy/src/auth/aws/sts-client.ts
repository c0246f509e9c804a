/**
 * The STS calls behind temporary credentials (assume-role.ts, web-identity.ts): a form POST, signed or
 * not, answered with flat XML; and the cache that makes one call serve every request until the
 * credentials have five minutes left. A failed call is not cached: the next request tries again.
 */
import aws4 from 'aws4';
import { GatewayError } from '@gw/plugin-api';
import { hostHeader, parseEndpoint, type Endpoint } from '../../backends/endpoint.js';
import type { AwsCredentials } from './identity.js';
import { requestText } from './http-text.js';

export type TemporaryCredentials = Required<AwsCredentials> & { expiresAt: number };

/** Cached temporary credentials are renewed this long before they expire (also process-credentials.ts). */
export const RENEW_BEFORE_MS = 5 * 60_000;
const STS_TIMEOUT_MS = 10_000;

/** `aws_sts_endpoint_url`, else env AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the regional endpoint. */
export function stsEndpoint(configured: string | undefined, env: NodeJS.ProcessEnv, region: string): Readonly<Endpoint> {
  return parseEndpoint(configured || env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || `https://sts.${region}.amazonaws.com`);
}

const held = new Map<string, Promise<TemporaryCredentials>>();

/** The credentials cached under `key` while they have more than five minutes left, else a fresh `fetch`. */
export async function cachedCredentials(key: string, fetch: () => Promise<TemporaryCredentials>, now = Date.now): Promise<TemporaryCredentials> {
  const current = held.get(key);
  if (current !== undefined) {
    const credentials = await current;
    if (credentials.expiresAt - now() > RENEW_BEFORE_MS) return credentials;
    if (held.get(key) !== current) return cachedCredentials(key, fetch, now); // another request renewed them
  }
  const pending = fetch();
  held.set(key, pending);
  pending.catch(() => {
    if (held.get(key) === pending) held.delete(key);
  });
  return pending;
}

export interface StsCall {
  endpoint: Readonly<Endpoint>;
  form: Record<string, string>;
  /** SigV4 with these credentials (AssumeRole); none for AssumeRoleWithWebIdentity. */
  signWith?: { credentials: AwsCredentials; region: string };
}

/** One STS call; a GatewayError GW_ERR_AI_ASSUME_ROLE_FAILED naming STS's error code when it fails. */
export async function callSts(call: StsCall): Promise<TemporaryCredentials> {
  const body = new URLSearchParams({ Version: '2011-06-15', ...call.form }).toString();
  const host = hostHeader(call.endpoint);
  let headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host };
  const path = `${call.endpoint.prefix}/`;
  if (call.signWith) {
    const signed = aws4.sign({ service: 'sts', region: call.signWith.region, method: 'POST', host, path, headers, body }, call.signWith.credentials);
    headers = signed.headers as Record<string, string>;
  }
  const url = new URL(`${call.endpoint.scheme}://${host}${path}`);
  const { status, text } = await requestText({ url, method: 'POST', headers, body, timeoutMs: STS_TIMEOUT_MS, what: 'STS', fail: failed });
  if (status !== 200) {
    // STS error codes (AccessDenied, InvalidIdentityToken, …) name the problem without quoting secrets.
    throw failed(tag(text, 'Code') ?? `HTTP ${status}`);
  }
  const accessKeyId = tag(text, 'AccessKeyId');
  const secretAccessKey = tag(text, 'SecretAccessKey');
  const sessionToken = tag(text, 'SessionToken');
  const expiresAt = Date.parse(tag(text, 'Expiration') ?? '');
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiresAt)) throw failed('unreadable STS response');
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt };
}

export function failed(detail: string): GatewayError {
  return new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail } });
}

/** The text of the first <name>…</name> (STS answers small, flat XML; values are XML-escaped). */
function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match === null ? undefined : match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
