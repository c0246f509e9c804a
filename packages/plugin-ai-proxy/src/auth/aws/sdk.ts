/**
 * The AWS SDK for JavaScript's credential providers, loaded on first use (a dynamic import): gw's start-up
 * and its Anthropic-only routes never load them, and a Bedrock route with keys in its config doesn't either.
 * The SDK keeps each source as AWS maintains it: environment keys (skipped when AWS_PROFILE is set), the
 * shared files' profile (keys, role_arn with source_profile or credential_source, credential_process, SSO
 * with token refresh), web identity, container credentials (ECS, EKS Pod Identity), EC2 instance metadata;
 * and STS AssumeRole for Kong's `aws_assume_role_arn`. Endpoints follow the SDK's AWS_ENDPOINT_URL_*
 * variables (STS, SSO, SSO OIDC).
 */
import { outboundAgents, readProxyEnv } from '@gw/proxy-env';
import type { AwsCredentials } from './identity.js';
import type { CredentialSource } from './held.js';

type Providers = typeof import('@aws-sdk/credential-providers');

const NONE = /^Could not load credentials from any providers/;
let providers: Promise<Providers> | undefined;

function sdk(): Promise<Providers> {
  providers ??= import('@aws-sdk/credential-providers');
  return providers;
}

type NodeHttpHandler = import('@smithy/node-http-handler').NodeHttpHandler;

let proxied: Promise<{ requestHandler?: NodeHttpHandler }> | undefined;

/**
 * The SDK clients' config for the calls the chain makes (STS, SSO, SSO OIDC): through the outbound proxy
 * the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as gw's upstream calls go; the SDK reads no
 * proxy variable itself. Metadata and container credential addresses never go through it. Without a proxy
 * variable the SDK's own handler is kept.
 */
function clientConfig(): Promise<{ requestHandler?: NodeHttpHandler }> {
  proxied ??= (async () => {
    if (readProxyEnv(process.env).settings === undefined) return {};
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const { httpAgent, httpsAgent } = outboundAgents();
    return { requestHandler: new NodeHttpHandler({ httpAgent, httpsAgent }) };
  })();
  return proxied;
}

/** Where the SDK's few warnings go (e.g. both AWS_PROFILE and environment keys set); its debug chatter goes nowhere. */
export interface SdkLogger {
  warn(message: string): void;
}

function sdkLogger(logger: SdkLogger) {
  const quiet = () => undefined;
  return { trace: quiet, debug: quiet, info: quiet, warn: (...parts: unknown[]) => logger.warn(parts.map(String).join(' ')), error: quiet };
}

interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

function toCredentials(c: SdkCredentials): AwsCredentials {
  const out: AwsCredentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  if (c.sessionToken !== undefined) out.sessionToken = c.sessionToken;
  if (c.expiration !== undefined) out.expiresAt = c.expiration.getTime();
  return out;
}

/**
 * The SDK's default chain (fromNodeProviderChain). `region` is the Bedrock region, for the STS calls the
 * chain makes (web identity, a profile's role) when nothing else names one. `reset` drops the chain, so the
 * next call makes a new one (after a fetch that hung).
 */
export function sdkChain(region: string, logger: SdkLogger): { source: CredentialSource; reset(): void } {
  let chain: Promise<(options?: object) => Promise<SdkCredentials>> | undefined;
  const init = async () => ({ parentClientConfig: { region }, clientConfig: await clientConfig(), logger: sdkLogger(logger) });
  return {
    source: async () => {
      chain ??= Promise.all([sdk(), init()]).then(([p, options]) => p.fromNodeProviderChain(options) as (options?: object) => Promise<SdkCredentials>);
      try {
        return toCredentials(await (await chain)());
      } catch (error) {
        // The chain passes over a profile source that failed (a credential_process that exits non-zero)
        // and ends with "Could not load credentials from any providers". With AWS_PROFILE set, ask that
        // profile alone, so the error says what went wrong with it.
        const profile = process.env.AWS_PROFILE;
        if (!profile || !(error instanceof Error) || !NONE.test(error.message)) throw error;
        const p = await sdk();
        return toCredentials((await p.fromIni({ ...(await init()), profile })()) as SdkCredentials);
      }
    },
    reset: () => {
      chain = undefined;
    },
  };
}

export interface AssumeRole {
  roleArn: string;
  sessionName: string;
  region: string;
  /** Kong's `aws_sts_endpoint_url`; absent: the SDK's (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the region's). */
  endpoint?: string;
}

/** STS AssumeRole on `role`, signed with `base` (fromTemporaryCredentials). */
export function sdkAssumeRole(base: CredentialSource, role: AssumeRole, logger: SdkLogger): CredentialSource {
  let provider: Promise<() => Promise<SdkCredentials>> | undefined;
  return async () => {
    provider ??= Promise.all([sdk(), clientConfig()]).then(([p, proxy]) =>
      p.fromTemporaryCredentials({
        masterCredentials: base,
        params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName },
        clientConfig: { region: role.region, ...(role.endpoint ? { endpoint: role.endpoint } : {}), ...proxy },
        logger: sdkLogger(logger),
      }) as () => Promise<SdkCredentials>);
    return toCredentials(await (await provider)());
  };
}
