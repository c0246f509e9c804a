/**
 * The credentials a Bedrock call is signed with, in the AWS SDKs' order: keys in the config, env keys
 * (identity.ts), else web identity (web-identity.ts); then, if the config names a role, that role's
 * (assume-role.ts). Async because the last two ask STS, once per cache lifetime.
 */
import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { assumedCredentials, assumeRoleOf } from './assume-role.js';
import { staticCredentials, type AwsCredentials } from './identity.js';
import { webIdentityCredentials, webIdentityOf } from './web-identity.js';

export async function credentialsFor(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string): Promise<AwsCredentials> {
  let base = staticCredentials(config, env);
  if (base === undefined) {
    const identity = webIdentityOf(env, region, config.model.options?.bedrock?.aws_sts_endpoint_url);
    if (identity === undefined) throw new GatewayError('GW_ERR_AI_NO_CREDENTIALS');
    base = await webIdentityCredentials(identity);
  }
  const role = assumeRoleOf(config, env, region);
  return role === undefined ? base : assumedCredentials(base, role);
}
