import type { BodyBytes } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { RouteKind } from '../../exchange.js';
import type { BedrockPlan } from '../../phases/state.js';
import type { ParsedBody } from '../../formats/anthropic/body.js';
import { toBedrockBody, toCountTokensBody } from '../../translators/anthropic-bedrock/body.js';
import { resolveRegion } from '../../auth/aws/identity.js';
import { credentialsFor } from '../../auth/aws/credentials.js';
import type { SharedProfile } from '../../auth/aws/shared-files.js';
import { countTokensModelId, modelPath, resolveEndpoint } from './url.js';

export interface BedrockPlanInput {
  config: AiProxyConfig;
  env: NodeJS.ProcessEnv;
  /** The AWS shared files' profile, read when the instance was created. */
  profile?: SharedProfile;
  kind: RouteKind;
  model: string;
  stream: boolean;
  body: ParsedBody;
  headerBetas: readonly string[];
}

/** Everything the Bedrock call needs, resolved once in `access` (errors surface before proxying). */
export async function planBedrock(input: BedrockPlanInput): Promise<{ plan: BedrockPlan; sent: BodyBytes }> {
  const region = resolveRegion(input.config, input.env, input.profile);
  const credentials = await credentialsFor(input.config, input.env, region, input.profile);
  const endpoint = resolveEndpoint(input.config.model.options?.upstream_url, region, input.env);
  const invoke = toBedrockBody({ body: input.body, model: input.model, headerBetas: input.headerBetas, options: input.config.model.options });
  const counting = input.kind === 'count_tokens';
  const body: BodyBytes = counting ? toCountTokensBody(invoke) : invoke.body;
  const path = counting
    ? modelPath(endpoint.prefix, countTokensModelId(input.model), 'count-tokens')
    : modelPath(endpoint.prefix, input.model, input.stream ? 'invoke-with-response-stream' : 'invoke');
  return {
    plan: { provider: 'bedrock', kind: input.kind, endpoint, path, stream: input.stream, body, region, credentials },
    sent: body,
  };
}
