/**
 * Kong's `model.options.bedrock.aws_assume_role_arn`: Bedrock calls are signed with temporary credentials
 * from STS AssumeRole, obtained with the base credentials (config or AWS_* env). One STS call per role
 * and base key, shared by concurrent requests, renewed five minutes before it expires; a failed call is
 * not cached, so the next request tries again.
 */
import http from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';
import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { hostHeader, parseEndpoint, type Endpoint } from '../endpoint.js';
import type { BedrockPlan } from '../../request/plan.js';
import type { AwsCredentials } from './identity.js';

export interface AssumeRole {
  roleArn: string;
  sessionName: string;
  endpoint: Readonly<Endpoint>;
  region: string;
}

const RENEW_BEFORE_MS = 5 * 60_000;
const STS_TIMEOUT_MS = 10_000;

/**
 * The role to assume, if the config names one. STS endpoint: `aws_sts_endpoint_url`, else env
 * AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the regional https://sts.<region>.amazonaws.com.
 */
export function assumeRoleOf(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string): AssumeRole | undefined {
  const bedrock = config.model.options?.bedrock;
  const roleArn = bedrock?.aws_assume_role_arn;
  if (!roleArn) return undefined;
  const url = bedrock.aws_sts_endpoint_url || env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || `https://sts.${region}.amazonaws.com`;
  return { roleArn, sessionName: bedrock.aws_role_session_name || 'gw', endpoint: parseEndpoint(url), region };
}

/** Swap the plan's base credentials for the configured role's (no role configured: nothing to do). */
export async function applyAssumeRole(plan: BedrockPlan, config: AiProxyConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const role = assumeRoleOf(config, env, plan.region);
  if (role !== undefined) plan.credentials = await assumedCredentials(plan.credentials, role);
}

interface Held {
  credentials: Promise<AwsCredentials & { expiresAt: number }>;
}

const held = new Map<string, Held>();

/** Temporary credentials for `role`, from the cache while they have more than five minutes left. */
export async function assumedCredentials(base: AwsCredentials, role: AssumeRole, now = Date.now): Promise<AwsCredentials> {
  const key = [base.accessKeyId, role.roleArn, role.sessionName, role.endpoint.host, role.endpoint.port, role.region].join('\n');
  const current = held.get(key);
  if (current !== undefined) {
    const credentials = await current.credentials;
    if (credentials.expiresAt - now() > RENEW_BEFORE_MS) return credentials;
    if (held.get(key) !== current) return assumedCredentials(base, role, now); // another request renewed them
  }
  const entry: Held = { credentials: callSts(base, role) };
  held.set(key, entry);
  entry.credentials.catch(() => {
    if (held.get(key) === entry) held.delete(key);
  });
  return entry.credentials;
}

async function callSts(base: AwsCredentials, role: AssumeRole): Promise<AwsCredentials & { expiresAt: number }> {
  const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: role.roleArn, RoleSessionName: role.sessionName }).toString();
  const host = hostHeader(role.endpoint);
  const signed = aws4.sign(
    {
      service: 'sts',
      region: role.region,
      method: 'POST',
      host,
      path: `${role.endpoint.prefix}/`,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host },
      body,
    },
    base,
  );
  const { status, text } = await post(role.endpoint, signed.path ?? '/', signed.headers as Record<string, string>, body);
  if (status !== 200) {
    // STS error codes (AccessDenied, InvalidClientTokenId, …) name the problem without quoting secrets.
    const code = tag(text, 'Code') ?? `HTTP ${status}`;
    throw new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail: code } });
  }
  const accessKeyId = tag(text, 'AccessKeyId');
  const secretAccessKey = tag(text, 'SecretAccessKey');
  const sessionToken = tag(text, 'SessionToken');
  const expiration = Date.parse(tag(text, 'Expiration') ?? '');
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration)) {
    throw new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail: 'unreadable STS response' } });
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt: expiration };
}

/** The text of the first <name>…</name> (STS answers small, flat XML; values are XML-escaped). */
function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match === null ? undefined : match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function post(endpoint: Readonly<Endpoint>, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = endpoint.scheme === 'https' ? https : http;
    const req = client.request({ method: 'POST', host: endpoint.host, port: endpoint.port, path, headers, timeout: STS_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < 64 * 1024) text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', () => reject(new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail: 'STS connection lost' } })));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      reject(new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail: `STS unreachable (${code})` } }));
    });
    req.end(body);
  });
}
