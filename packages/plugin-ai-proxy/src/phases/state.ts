import type { BodyBytes } from '@gw/plugin-api';
import type { AiExchange, RouteKind } from '../exchange.js';
import type { AliasRule } from './model.js';
import type { AwsCredentials } from '../auth/aws/identity.js';
import type { Endpoint } from '../backends/endpoint.js';
import type { SharedProfile } from '../auth/aws/shared-files.js';

/** Per configured instance (built in `init`). */
export interface AiState {
  pluginId: string;
  aliases: AliasRule[];
  /** `model` has `$(…)` templates: render it and compile aliases per request. */
  templated: boolean;
  /** Where AWS_* variables are read; process.env in production, a plain object in tests. */
  env: NodeJS.ProcessEnv;
  /** The AWS shared files' profile, read in init (Bedrock instances; a reload reads the files again). */
  profile?: SharedProfile;
}

/** What `access` decided and `upstream` (re)applies before every attempt. */
export interface BedrockPlan {
  provider: 'bedrock';
  kind: RouteKind;
  endpoint: Endpoint;
  /** Wire path, percent-encoded. */
  path: string;
  stream: boolean;
  body: BodyBytes;
  region: string;
  credentials: AwsCredentials;
}

export interface AnthropicPlan {
  provider: 'anthropic';
  kind: RouteKind;
  endpoint: Endpoint;
  path: string;
  query: string;
  /** Replacement body; undefined when the client's bytes go through unchanged. */
  body: BodyBytes | undefined;
  /** Headers to set (lower-case); `null` removes one. */
  headers: Record<string, string | null>;
}

export type UpstreamPlan = BedrockPlan | AnthropicPlan;

/** The plugin's per-request `local`. */
export interface AiLocal {
  exchange?: AiExchange;
  plan?: UpstreamPlan;
}
