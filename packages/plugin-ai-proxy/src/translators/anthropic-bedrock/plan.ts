/**
 * An Anthropic Messages request as a Bedrock InvokeModel call: the body through the beta policy
 * (body.ts), the operation by route and mode, count_tokens wrapped for CountTokens.
 */
import type { PlanInput, Planned } from '../translator.js';
import type { ParsedBody } from '../../formats/anthropic/body.js';
import { bedrockPlan, resolveBedrockTarget, type BedrockPlan, type BedrockState } from '../../backends/bedrock/plan.js';
import { countTokensModelId } from '../../backends/bedrock/url.js';
import { headerBetas } from './betas.js';
import { toBedrockBody, toCountTokensBody } from './body.js';

export async function planInvokeModel(input: PlanInput<ParsedBody>): Promise<Planned<BedrockPlan>> {
  const { config, model } = input;
  const target = await resolveBedrockTarget(config, input.state.backend as BedrockState);
  const invoke = toBedrockBody({ body: input.body, model, headerBetas: headerBetas(input.request.headers), options: config.model.options });
  const plan = input.kind === 'count_tokens'
    ? bedrockPlan(target, countTokensModelId(model), 'count-tokens', toCountTokensBody(invoke))
    : bedrockPlan(target, model, input.stream ? 'invoke-with-response-stream' : 'invoke', invoke.body);
  return { plan, sent: plan.body };
}
