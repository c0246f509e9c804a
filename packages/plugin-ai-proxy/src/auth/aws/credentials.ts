/**
 * The credentials a Bedrock call is signed with, behind one seam (`() => Promise<credentials>`): Kong's
 * `auth.aws_access_key_id` / `aws_secret_access_key` first, as now; else the AWS SDK's default chain
 * (sdk.ts); then, if the config names `aws_assume_role_arn`, that role's, assumed with them. Everything
 * but the config keys is fetched off the hot path and held (held.ts) per plugin instance, so a reload
 * starts afresh, and its errors become gw's (sdk-errors.ts). In a worker of `gw start --workers`, the
 * fetching is the cluster primary's, shared by every worker (primary.ts).
 */
import type { AiProxyConfig } from '../../config/types.js';
import { configCredentials, type AwsCredentials } from './identity.js';
import { FETCH_TIMEOUT_MS, held, type CredentialSource } from './held.js';
import { fromPrimary, inGwWorker, serveWorkers } from './primary.js';
import { sdkAssumeRole, sdkChain, type AssumeRole, type SdkLogger } from './sdk.js';
import { chainError, roleError } from './sdk-errors.js';

/** Per plugin instance: the sources made so far, by what they depend on. */
export interface AwsAuthState {
  sources: Map<string, CredentialSource>;
  logger: SdkLogger;
}

export function newAwsAuthState(logger: SdkLogger): AwsAuthState {
  return { sources: new Map(), logger };
}

export function credentialsFor(config: AiProxyConfig, auth: AwsAuthState, region: string): Promise<AwsCredentials> {
  const keys = configCredentials(config);
  const role = assumeRoleOf(config, region);
  if (role === undefined && keys !== undefined) return Promise.resolve(keys);
  const key = [keys?.accessKeyId ?? '', region, role?.roleArn ?? '', role?.sessionName ?? '', role?.endpoint ?? ''].join('\n');
  let source = auth.sources.get(key);
  if (source === undefined) {
    // The worker holds what the primary answers too, so it asks once per expiry; it waits a little longer
    // than the primary's own bound, so the primary's error arrives first.
    source = inGwWorker() ? held(fromPrimary({ keys, role, region }), { timeoutMs: FETCH_TIMEOUT_MS + 10_000 }) : makeSource(keys, role, region, auth);
    auth.sources.set(key, source);
  }
  return source();
}

// A cluster primary serves its workers' asks (a no-op anywhere else). Its SDK warnings go to stderr as
// gw's log lines do: no plugin instance runs in the primary.
serveWorkers((spec) =>
  makeSource(spec.keys, spec.role, spec.region, newAwsAuthState({ warn: (message) => process.stderr.write(`${new Date().toISOString()} [warn] ai-proxy: ${message}\n`) })),
);

function makeSource(keys: AwsCredentials | undefined, role: AssumeRole | undefined, region: string, auth: AwsAuthState): CredentialSource {
  let base: CredentialSource;
  if (keys !== undefined) base = () => Promise.resolve(keys);
  else {
    const chain = sdkChain(region, auth.logger);
    const profile = process.env.AWS_PROFILE || undefined;
    base = held(() => chain.source().catch((error: unknown) => Promise.reject(chainError(error, profile))), { onTimeout: chain.reset });
  }
  if (role === undefined) return base;
  const assumed = sdkAssumeRole(base, role, auth.logger);
  return held(() => assumed().catch((error: unknown) => Promise.reject(roleError(error))));
}

/** Kong's role, if the config names one (session name `aws_role_session_name`, default `gw`). */
export function assumeRoleOf(config: AiProxyConfig, region: string): AssumeRole | undefined {
  const bedrock = config.model.options?.bedrock;
  const roleArn = bedrock?.aws_assume_role_arn;
  if (!roleArn) return undefined;
  const role: AssumeRole = { roleArn, sessionName: bedrock.aws_role_session_name || 'gw', region };
  if (bedrock.aws_sts_endpoint_url) role.endpoint = bedrock.aws_sts_endpoint_url;
  return role;
}
