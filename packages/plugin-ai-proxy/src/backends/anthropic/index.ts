/** The Anthropic API backend (`model.provider: anthropic`), authenticated with Kong's key auth. */
import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { Backend } from '../../translators/translator.js';
import type { AnthropicPlan } from './plan.js';
import { applyKeyedPlan } from '../keyed-plan.js';
import { sharedAnthropicModels } from './models.js';

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

export const anthropicBackend: Backend<AnthropicPlan> = {
  name: 'anthropic',
  auth: 'api-key',
  requestIdHeader: 'request-id',
  validate(config: AiProxyConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!isSet(config.model.options?.anthropic_version)) {
      issues.push({ path: 'model.options.anthropic_version', message: "must set 'model.options.anthropic_version' for anthropic provider" });
    }
    if (config.route_type === 'llm/v1/completions' && config.logging?.log_statistics === true) {
      issues.push({ path: 'logging.log_statistics', message: 'anthropic does not support statistics when route_type is llm/v1/completions' });
    }
    return issues;
  },
  models: sharedAnthropicModels,
  apply: applyKeyedPlan,
};
