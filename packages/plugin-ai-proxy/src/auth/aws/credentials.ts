/**
 * The credentials a Bedrock call is signed with, in the AWS SDKs' order: keys in the config, env keys
 * (identity.ts; skipped when AWS_PROFILE is set), the shared files' profile (shared-files.ts: its keys, the
 * role it names assumed with its source profile's keys or credential_process, its credential_process:
 * process-credentials.ts, or its SSO role: sso-credentials.ts), else web
 * identity (web-identity.ts), else container credentials (container-credentials.ts), else the EC2
 * instance profile (instance-credentials.ts);
 * then, if the config names a role, that role's (assume-role.ts). Async because all but the keys are
 * fetched, once per cache lifetime.
 */
import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { assumedCredentials, assumeRoleOf } from './assume-role.js';
import { credentialsFailed, staticCredentials, type AwsCredentials } from './identity.js';
import { webIdentityCredentials, webIdentityOf } from './web-identity.js';
import { containerCredentials, containerSourceOf } from './container-credentials.js';
import { instanceCredentials, instanceSourceOf } from './instance-credentials.js';
import type { SharedProfile } from './shared-files.js';
import { ssoCredentials } from './sso-credentials.js';
import { processCredentials } from './process-credentials.js';
import { stsEndpoint } from './sts-client.js';

/** `profile`: the shared files' profile, as read when the plugin instance was created (shared-files.ts). */
export async function credentialsFor(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string, profile?: SharedProfile): Promise<AwsCredentials> {
  let base = staticCredentials(config, env) ?? (await profileCredentials(config, env, region, profile));
  if (base === undefined) {
    const identity = webIdentityOf(env, region, config.model.options?.bedrock?.aws_sts_endpoint_url);
    const container = identity === undefined ? containerSourceOf(env) : undefined;
    const instance = identity === undefined && container === undefined ? instanceSourceOf(env) : undefined;
    if (identity !== undefined) base = await webIdentityCredentials(identity);
    else if (container !== undefined) base = await containerCredentials(container);
    else if (instance !== undefined) base = await instanceCredentials(instance);
    if (base === undefined) throw new GatewayError('GW_ERR_AI_NO_CREDENTIALS');
  }
  const role = assumeRoleOf(config, env, region);
  return role === undefined ? base : assumedCredentials(base, role);
}

/** The profile's credentials; undefined lets the chain go on (no profile, or one without credentials). */
async function profileCredentials(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string, profile: SharedProfile | undefined): Promise<AwsCredentials | undefined> {
  const found = profile?.credentials;
  if (found === undefined || found.kind === 'none') return undefined;
  if (found.kind === 'failed') throw credentialsFailed(found.detail);
  if (found.kind === 'keys') return found.keys;
  if (found.kind === 'sso') return ssoCredentials(found.sso, env);
  if (found.kind === 'process') return processCredentials(found.process, env);
  // Renewed like every assumed role (sts-client.ts cache); the STS endpoint is chosen as for Kong's role.
  const endpoint = stsEndpoint(config.model.options?.bedrock?.aws_sts_endpoint_url, env, region);
  const source = 'command' in found.source ? await processCredentials(found.source, env) : found.source;
  return assumedCredentials(source, { roleArn: found.roleArn, sessionName: found.sessionName || 'gw', externalId: found.externalId, endpoint, region });
}
