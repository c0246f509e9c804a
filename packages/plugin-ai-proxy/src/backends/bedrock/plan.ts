/**
 * Where a Bedrock call goes and what signs it, resolved once in `access` (errors surface before
 * proxying): the region, the credentials (auth/aws), the endpoint and the operation's path. A translator
 * adds the body its pair builds (translators/anthropic-bedrock/plan.ts, translators/openai-bedrock/plan.ts).
 */
import type { BodyBytes } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { UpstreamPlan } from '../../translators/translator.js';
import type { AwsCredentials } from '../../auth/aws/identity.js';
import { credentialsFor, type AwsAuthState } from '../../auth/aws/credentials.js';
import { readProfileRegion, resolveRegion, type ProfileRegion } from './region.js';
import { modelPath, resolveEndpoint, STREAMING_OPERATIONS, type BedrockOperation } from './url.js';
import type { Endpoint } from '../endpoint.js';

/** What the Bedrock backend keeps per configured instance (built in `init`). */
export interface BedrockState {
  /** Where gw reads AWS_* variables (region, endpoints); process.env in production. The SDK's chain reads process.env. */
  env: NodeJS.ProcessEnv;
  /** The shared files' profile region, read on first need (region.ts). */
  profileRegion?: Promise<ProfileRegion>;
  auth: AwsAuthState;
}

export interface BedrockPlan extends UpstreamPlan {
  operation: BedrockOperation;
  stream: boolean;
  body: BodyBytes;
  region: string;
  credentials: AwsCredentials;
  /** Operation headers a Bedrock-native client set (guardrail, trace, accept…): signed and sent, over the defaults. */
  headers?: Readonly<Record<string, string>>;
}

/** Region, credentials and endpoint: what every Bedrock call of an instance shares. */
export interface BedrockTarget {
  region: string;
  credentials: AwsCredentials;
  endpoint: Endpoint;
}

/** The instance's region (region.ts), the shared files read once per instance. */
export function regionOf(config: AiProxyConfig, state: BedrockState): Promise<string> {
  return resolveRegion(config, state.env, () => (state.profileRegion ??= readProfileRegion(state.env)));
}

export async function resolveBedrockTarget(config: AiProxyConfig, state: BedrockState): Promise<BedrockTarget> {
  const region = await regionOf(config, state);
  const credentials = await credentialsFor(config, state.auth, region);
  return { region, credentials, endpoint: resolveEndpoint(config.model.options?.upstream_url, region, state.env) };
}

/** The plan for one operation on `modelId` (an id or ARN; count-tokens takes the foundation model id, url.ts). */
export function bedrockPlan(target: BedrockTarget, modelId: string, operation: BedrockOperation, body: BodyBytes): BedrockPlan {
  const { region, credentials, endpoint } = target;
  return { endpoint, path: modelPath(endpoint.prefix, modelId, operation), operation, stream: STREAMING_OPERATIONS.has(operation), body, region, credentials };
}
