/**
 * The Bedrock region: model.options.bedrock.aws_region → env AWS_REGION → env AWS_DEFAULT_REGION (Kong's
 * order) → the shared files' profile (AWS_PROFILE, else `default`), read as the AWS SDK reads them, on
 * first need and once per plugin instance (a reload reads them again).
 */
import { join } from 'node:path';
import { GatewayError } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import { credentialsFailed } from '../../auth/aws/identity.js';

/** What the profile lookup found: its region, or why the named profile is missing. */
export interface ProfileRegion {
  region?: string;
  missing?: string;
}

export async function resolveRegion(config: AiProxyConfig, env: NodeJS.ProcessEnv, profile: () => Promise<ProfileRegion>): Promise<string> {
  const region = config.model.options?.bedrock?.aws_region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) return region;
  const found = await profile();
  // The profile was where the region was meant to come from: say it's not there.
  if (found.missing !== undefined) throw credentialsFailed(found.missing);
  if (found.region) return found.region;
  throw new GatewayError('GW_ERR_AI_NO_REGION');
}

/** The profile's `region` from the config file, else the credentials file (@smithy/shared-ini-file-loader, loaded on first use). */
export async function readProfileRegion(env: NodeJS.ProcessEnv): Promise<ProfileRegion> {
  const { loadSharedConfigFiles, getHomeDir } = await import('@smithy/shared-ini-file-loader');
  const home = env.HOME || getHomeDir();
  const filepath = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const configFilepath = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const files = await loadSharedConfigFiles({ filepath, configFilepath, ignoreCache: true });
  const name = env.AWS_PROFILE || 'default';
  const fromConfig = files.configFile[name];
  const fromCredentials = files.credentialsFile[name];
  if (fromConfig === undefined && fromCredentials === undefined && env.AWS_PROFILE) {
    return { missing: `AWS profile '${name}' (AWS_PROFILE) is in neither ${filepath} nor ${configFilepath}` };
  }
  const region = fromConfig?.region ?? fromCredentials?.region;
  return region ? { region } : {};
}
