/**
 * The credentials a Bedrock call is signed with, in the AWS SDKs' order: keys in the config, env keys
 * (identity.ts), else web identity (web-identity.ts), else container credentials (container-credentials.ts),
 * else the EC2 instance profile (instance-credentials.ts);
 * then, if the config names a role, that role's (assume-role.ts). Async because all but the keys are
 * fetched, once per cache lifetime.
 */
import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { assumedCredentials, assumeRoleOf } from './assume-role.js';
import { staticCredentials, type AwsCredentials } from './identity.js';
import { webIdentityCredentials, webIdentityOf } from './web-identity.js';
import { containerCredentials, containerSourceOf } from './container-credentials.js';
import { instanceCredentials, instanceSourceOf } from './instance-credentials.js';

export async function credentialsFor(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string): Promise<AwsCredentials> {
  let base = staticCredentials(config, env);
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
