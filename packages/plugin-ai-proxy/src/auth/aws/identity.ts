import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { SharedProfile } from './shared-files.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Region: model.options.bedrock.aws_region → env AWS_REGION → env AWS_DEFAULT_REGION (Kong's order)
 * → the shared profile's `region` (the SDKs look at the environment before the profile). When the profile
 * couldn't be read, that is the answer: it is where the region was meant to come from.
 */
export function resolveRegion(config: AiProxyConfig, env: NodeJS.ProcessEnv, profile?: SharedProfile): string {
  const region = config.model.options?.bedrock?.aws_region || env.AWS_REGION || env.AWS_DEFAULT_REGION || profile?.region;
  if (!region && profile?.unread !== undefined) throw credentialsFailed(profile.unread);
  if (!region) throw new GatewayError('GW_ERR_AI_NO_REGION');
  return region;
}

/**
 * Static credentials: auth.aws_access_key_id + aws_secret_access_key, else env AWS_ACCESS_KEY_ID +
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN). A pair counts only when both halves are set, as in Kong.
 * A set AWS_PROFILE passes over the env keys, as in the AWS SDK for JavaScript v3: the developer picked
 * the profile.
 */
export function staticCredentials(config: AiProxyConfig, env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const auth = config.auth;
  if (auth?.aws_access_key_id && auth.aws_secret_access_key) {
    return { accessKeyId: auth.aws_access_key_id, secretAccessKey: auth.aws_secret_access_key };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !env.AWS_PROFILE) {
    return env.AWS_SESSION_TOKEN
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  }
  return undefined;
}

/** A credential source that answered but failed (the detail never quotes a credential). */
export function credentialsFailed(detail: string): GatewayError {
  return new GatewayError('GW_ERR_AI_CREDENTIALS_FAILED', { params: { detail } });
}
