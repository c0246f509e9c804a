/** The Bedrock Runtime backend (`model.provider: bedrock`): InvokeModel and Converse, signed with AWS SigV4. */
import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { Backend } from '../../translators/translator.js';
import { newAwsAuthState } from '../../auth/aws/credentials.js';
import { regionOf, type BedrockPlan, type BedrockState } from './plan.js';
import { applyBedrockPlan } from './upstream.js';
import { cachedBedrockModels } from './models.js';
import { CATALOGUE } from '../../phases/model.js';

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

export const bedrockBackend: Backend<BedrockPlan> = {
  name: 'bedrock',
  auth: 'aws-sigv4',
  requestIdHeader: 'x-amzn-requestid',
  init(_config, env, logger): BedrockState {
    // Nothing is read yet: the shared files and the SDK's chain are loaded on first need, per instance.
    return { env, auth: newAwsAuthState(logger) };
  },
  validate(config: AiProxyConfig): ConfigIssue[] {
    const auth = config.auth ?? {};
    const issues: ConfigIssue[] = [];
    if (auth.allow_override === true) {
      issues.push({ path: 'auth.allow_override', message: 'bedrock and gemini only support auth.allow_override = false' });
    }
    if (isSet(auth.header_name) || isSet(auth.param_name)) {
      // Requests would be signed with the AWS keys anyway; a configured API key would be silently unused.
      issues.push({ path: isSet(auth.header_name) ? 'auth.header_name' : 'auth.param_name', message: 'bedrock authenticates with AWS SigV4 (auth.aws_access_key_id / aws_secret_access_key or the AWS_* environment); header and param auth are not supported yet by gw' });
    }
    const throughCatalogue = !config.model.name || Object.values(config.model_aliases ?? {}).includes(CATALOGUE);
    if (config.model.options?.bedrock?.inference_profile !== undefined && !throughCatalogue) {
      issues.push({
        path: 'model.options.bedrock.inference_profile',
        severity: 'warning',
        message: "is used only when gw's model catalogue maps a model: with model.name unset, or for model_aliases whose value is 'catalogue'",
      });
    }
    return issues;
  },
  async models(config, state) {
    const region = await regionOf(config, state as BedrockState);
    return cachedBedrockModels(region, config.model.options?.bedrock?.inference_profile ?? 'geography');
  },
  apply: (plan, upstream) => applyBedrockPlan(plan, upstream),
};
