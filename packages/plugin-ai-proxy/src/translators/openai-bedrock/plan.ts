/** A Chat Completions request as a Bedrock Converse call: ConverseStream when the answer streams. */
import type { PlanInput, Planned } from '../translator.js';
import type { ChatBody } from '../../formats/openai/body.js';
import { bedrockPlan, resolveBedrockTarget, type BedrockPlan, type BedrockState } from '../../backends/bedrock/plan.js';
import { toConverseBody } from './request.js';

/** What the response side needs to know about the request (the stream's usage chunk). */
export interface ConversePlan extends BedrockPlan {
  includeUsage: boolean;
}

export async function planConverse(input: PlanInput<ChatBody>): Promise<Planned<ConversePlan>> {
  const { config, model } = input;
  // The body first: a request gw refuses never waits on credentials.
  const converse = toConverseBody(input.body, model, config.model.options);
  const target = await resolveBedrockTarget(config, input.state.backend as BedrockState);
  const plan = { ...bedrockPlan(target, model, input.stream ? 'converse-stream' : 'converse', converse.body), includeUsage: converse.includeUsage };
  return { plan, sent: plan.body };
}
