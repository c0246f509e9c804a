import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Region: model.options.bedrock.aws_region → env AWS_REGION → env AWS_DEFAULT_REGION (kong-compat.md §8.4). */
export function resolveRegion(config: AiProxyConfig, env: NodeJS.ProcessEnv): string {
  const region = config.model.options?.bedrock?.aws_region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new GatewayError('GW_ERR_AI_NO_REGION');
  return region;
}

/**
 * Static credentials: auth.aws_access_key_id + aws_secret_access_key, else env AWS_ACCESS_KEY_ID +
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN). A pair counts only when both halves are set, as in Kong.
 */
export function staticCredentials(config: AiProxyConfig, env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const auth = config.auth;
  if (auth?.aws_access_key_id && auth.aws_secret_access_key) {
    return { accessKeyId: auth.aws_access_key_id, secretAccessKey: auth.aws_secret_access_key };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
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
