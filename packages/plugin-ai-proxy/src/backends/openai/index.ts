/** The OpenAI API backend (`model.provider: openai`) and OpenAI-compatible servers, with Kong's key auth. */
import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { Backend } from '../../translators/translator.js';
import type { OpenAiPlan } from './plan.js';
import { applyKeyedPlan } from '../keyed-plan.js';

const isPrice = (value: unknown): boolean => typeof value === 'number';

export const openaiBackend: Backend<OpenAiPlan> = {
  name: 'openai',
  auth: 'api-key',
  requestIdHeader: 'x-request-id',
  validate(config: AiProxyConfig): ConfigIssue[] {
    const options = config.model.options ?? {};
    const issues: ConfigIssue[] = [];
    // gw's model catalogue prices Claude models only: without Kong's prices every call costs 0 in the log.
    if (![options.input_cost, options.output_cost, options.cache_read_cost, options.cache_write_cost].some(isPrice)) {
      issues.push({
        path: 'model.options.input_cost',
        severity: 'warning',
        message: "no price for provider 'openai' (gw's model catalogue has none for OpenAI models): set model.options.input_cost and output_cost (USD per million tokens), or the log's cost stays 0",
      });
    }
    if (options.top_k !== undefined && options.top_k !== null) {
      issues.push({ path: 'model.options.top_k', severity: 'warning', message: "is not used with provider 'openai': OpenAI has no top_k (Kong removes it too)" });
    }
    return issues;
  },
  apply: applyKeyedPlan,
};
