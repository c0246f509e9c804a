import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working (ms since the epoch); absent for long-term keys. */
  expiresAt?: number;
}

/** Kong's `auth.aws_access_key_id` + `aws_secret_access_key`: a pair counts only when both halves are set. */
export function configCredentials(config: AiProxyConfig): AwsCredentials | undefined {
  const auth = config.auth;
  return auth?.aws_access_key_id && auth.aws_secret_access_key ? { accessKeyId: auth.aws_access_key_id, secretAccessKey: auth.aws_secret_access_key } : undefined;
}

/** A credential source that answered but failed (the detail never quotes a credential). */
export function credentialsFailed(detail: string): GatewayError {
  return new GatewayError('GW_ERR_AI_CREDENTIALS_FAILED', { params: { detail } });
}

export function assumeRoleFailed(detail: string): GatewayError {
  return new GatewayError('GW_ERR_AI_ASSUME_ROLE_FAILED', { params: { detail } });
}
