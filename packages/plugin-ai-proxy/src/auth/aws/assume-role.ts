/**
 * Kong's `model.options.bedrock.aws_assume_role_arn`: Bedrock calls are signed with temporary credentials
 * from STS AssumeRole, obtained with the base credentials (config, env keys or web identity).
 */
import type { AiProxyConfig } from '../../config/types.js';
import type { Endpoint } from '../../backends/endpoint.js';
import type { AwsCredentials } from './identity.js';
import { cachedCredentials, callSts, stsEndpoint } from './sts-client.js';

export interface AssumeRole {
  roleArn: string;
  sessionName: string;
  endpoint: Readonly<Endpoint>;
  region: string;
  /** A shared profile's `external_id`, for roles whose trust policy asks for one. */
  externalId?: string;
}

/** The role to assume, if the config names one (session name `aws_role_session_name`, default `gw`). */
export function assumeRoleOf(config: AiProxyConfig, env: NodeJS.ProcessEnv, region: string): AssumeRole | undefined {
  const bedrock = config.model.options?.bedrock;
  const roleArn = bedrock?.aws_assume_role_arn;
  if (!roleArn) return undefined;
  return { roleArn, sessionName: bedrock.aws_role_session_name || 'gw', endpoint: stsEndpoint(bedrock.aws_sts_endpoint_url, env, region), region };
}

/** Temporary credentials for `role`, shared by every request with the same base key and role. */
export function assumedCredentials(base: AwsCredentials, role: AssumeRole, now = Date.now): Promise<AwsCredentials> {
  const key = ['assume', base.accessKeyId, role.roleArn, role.sessionName, role.endpoint.host, role.endpoint.port, role.region, role.externalId ?? ''].join('\n');
  return cachedCredentials(
    key,
    () =>
      callSts({
        endpoint: role.endpoint,
        form: { Action: 'AssumeRole', RoleArn: role.roleArn, RoleSessionName: role.sessionName, ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }) },
        signWith: { credentials: base, region: role.region },
      }),
    now,
  );
}
