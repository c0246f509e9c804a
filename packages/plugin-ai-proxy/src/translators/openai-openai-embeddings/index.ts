/**
 * OpenAI embeddings clients → the OpenAI API or an OpenAI-compatible server's `/embeddings`: the same wire
 * on both sides. The client's bytes go through unless gw changes the model (pinning, aliases) or adds
 * Kong's `model.options.embeddings_dimensions`; token-id inputs pass too. The answer is relayed as it came,
 * read at its end for the usage and model (../openai-openai/response.ts); errors keep OpenAI's shape.
 */
import type { PlanInput, Planned, Translator } from '../translator.js';
import { parseEmbeddingsBody, type EmbeddingsBody } from '../../formats/openai/embeddings/body.js';
import { openaiEmbeddingsFormat } from '../../formats/openai/embeddings/index.js';
import { openaiBackend } from '../../backends/openai/index.js';
import { openaiErrorPassthrough } from '../../backends/openai/error-answer.js';
import { planOpenAiCall, type OpenAiPlan } from '../../backends/openai/plan.js';
import { completionPassthrough } from '../openai-openai/response.js';

const ok = (status: number) => status >= 200 && status < 300;

export const openaiToOpenaiEmbeddings: Translator<EmbeddingsBody, OpenAiPlan> = {
  format: openaiEmbeddingsFormat,
  backend: openaiBackend,
  routeTypes: ['llm/v1/embeddings'],
  parseBody: (bytes) => parseEmbeddingsBody(bytes, { tokenIds: true }),
  plan: planEmbeddings,
  responseHeaders() {
    // The head is OpenAI's already.
  },
  responseBody({ ctx, response, exchange, plan }) {
    if (!ok(response.status)) return openaiErrorPassthrough(ctx, response, exchange, (plan as OpenAiPlan | undefined)?.gatewayKey === true);
    return completionPassthrough(ctx, response, exchange);
  },
};

function planEmbeddings(input: PlanInput<EmbeddingsBody>): Planned<OpenAiPlan> {
  const { config, body } = input;
  const changes: Record<string, unknown> = {};
  if (input.model !== body.model) changes.model = input.model;
  const dimensions = config.model.options?.embeddings_dimensions;
  if (body.dimensions === undefined && typeof dimensions === 'number') changes.dimensions = dimensions;
  // A small body parsed whole anyway: re-serialized only when something changed.
  const sent = Object.keys(changes).length === 0 ? undefined : Buffer.from(JSON.stringify({ ...body.json, ...changes }), 'utf8');
  const plan = planOpenAiCall({ config, operation: 'embeddings', body: sent, query: input.request.query, clientHeaders: input.request.headers });
  return { plan, sent: sent ?? body.bytes };
}
