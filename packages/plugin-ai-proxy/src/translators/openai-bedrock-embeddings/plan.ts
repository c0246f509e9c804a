/** An OpenAI embeddings request as one Bedrock InvokeModel call on an embeddings model. */
import type { PlanInput, Planned } from '../translator.js';
import type { EmbeddingsBody } from '../../formats/openai/embeddings/body.js';
import { bedrockPlan, resolveBedrockTarget, type BedrockPlan, type BedrockState } from '../../backends/bedrock/plan.js';
import { toEmbeddingsBody } from './request.js';
import type { EmbeddingsAnswerInput } from './response.js';

/** What the answer needs to know about the request. */
export interface EmbeddingsPlan extends BedrockPlan {
  asked: EmbeddingsAnswerInput;
}

export async function planEmbeddings(input: PlanInput<EmbeddingsBody>): Promise<Planned<EmbeddingsPlan>> {
  const { config, model, body } = input;
  // The body first: a request gw refuses never waits on credentials.
  const request = toEmbeddingsBody(body, model, config.model.options);
  const target = await resolveBedrockTarget(config, input.state.backend as BedrockState);
  const plan = { ...bedrockPlan(target, model, 'invoke', request.body), asked: { family: request.family, inputs: body.inputs.length, encodingFormat: body.encodingFormat } };
  return { plan, sent: plan.body };
}
