/**
 * OpenAI embeddings clients (the OpenAI SDKs' `embeddings.create`, LangChain's OpenAIEmbeddings, …) →
 * Bedrock InvokeModel on an embeddings model (Titan Text Embeddings v2, Cohere Embed v3 / v4): the request
 * becomes the model's own body (request.ts), the answer OpenAI's list (response.ts); Bedrock's errors reach
 * the client in OpenAI's shape and statuses.
 */
import type { ConfigIssue } from '@gw/plugin-api';
import type { Backend, Translator } from '../translator.js';
import type { AiProxyConfig } from '../../config/types.js';
import { parseEmbeddingsBody, type EmbeddingsBody } from '../../formats/openai/embeddings/body.js';
import { openaiEmbeddingsFormat } from '../../formats/openai/embeddings/index.js';
import { bedrockBackend } from '../../backends/bedrock/index.js';
import { bedrockResponseHead } from '../../backends/bedrock/headers.js';
import { takeBedrockError } from '../../backends/bedrock/errors.js';
import { tokenCountHeaders } from '../../backends/bedrock/metrics.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { observe } from '../../phases/observations.js';
import { DIMENSIONS, EMBEDDING_MODELS, embeddingFamily } from './models.js';
import { planEmbeddings, type EmbeddingsPlan } from './plan.js';
import { bedrockToEmbeddings } from './response.js';

const ok = (status: number) => status >= 200 && status < 300;

/**
 * Bedrock, without its view of gw's model catalogue: the catalogue holds Claude models, so on an embeddings
 * route it would only turn an unknown id into a list of Claude ids. Unpinned, the client's id goes through
 * (as Kong does) and request.ts refuses one that is no embeddings model, naming those it maps.
 */
const embeddingsBackend: Backend<EmbeddingsPlan> = {
  name: bedrockBackend.name,
  auth: bedrockBackend.auth,
  requestIdHeader: bedrockBackend.requestIdHeader,
  init: bedrockBackend.init!,
  validate: bedrockBackend.validate!,
  apply: bedrockBackend.apply,
};

export const openaiToBedrockEmbeddings: Translator<EmbeddingsBody, EmbeddingsPlan> = {
  format: { ...openaiEmbeddingsFormat, validate: (config) => [...(openaiEmbeddingsFormat.validate?.(config) ?? []), ...modelIssues(config)] },
  backend: embeddingsBackend,
  routeTypes: ['llm/v1/embeddings'],
  parseBody: (bytes) => parseEmbeddingsBody(bytes),
  plan: planEmbeddings,
  responseHeaders({ response, exchange }) {
    // Cohere's only token count is this header; read it before the Bedrock head drops its x-amzn-bedrock-*.
    const input = ok(response.status) ? tokenCountHeaders(response.headers)?.input : undefined;
    if (input !== undefined) {
      exchange.usage = { ...exchange.usage, input };
      observe(exchange, response.status).promptReported = true;
    }
    bedrockResponseHead(exchange, response);
  },
  responseBody({ ctx, response, exchange, plan }) {
    if (!ok(response.status)) return errorAnswer(ctx, response, exchange, takeBedrockError);
    return bedrockToEmbeddings(ctx, response, exchange, (plan as EmbeddingsPlan).asked);
  },
};

/**
 * A pinned `model.name` must be an embeddings model this pair maps, and `embeddings_dimensions` a size it
 * makes; `inference_profile` picks catalogue ids, which embeddings routes don't use.
 */
function modelIssues(config: AiProxyConfig): ConfigIssue[] {
  const profile = config.model.options?.bedrock?.inference_profile;
  // With model.name set, the Bedrock backend already warns about it.
  const unused: ConfigIssue[] = profile === undefined || profile === null || config.model.name ? [] : [
    { path: 'model.options.bedrock.inference_profile', severity: 'warning', message: "is not used by embeddings route types (gw's model catalogue has no embeddings models)" },
  ];
  return [...unused, ...embeddingsModelIssues(config)];
}

function embeddingsModelIssues(config: AiProxyConfig): ConfigIssue[] {
  const name = config.model.name;
  if (!name || name.includes('$(')) return [];
  const family = embeddingFamily(name);
  if (family === undefined) {
    return [{ path: 'model.name', message: `'${name}' is not an embeddings model gw maps on Bedrock (supported: ${EMBEDDING_MODELS})` }];
  }
  const dimensions = config.model.options?.embeddings_dimensions;
  if (typeof dimensions === 'number' && !DIMENSIONS[family].includes(dimensions)) {
    return [{ path: 'model.options.embeddings_dimensions', message: `${name} makes ${DIMENSIONS[family].join(', ')} dimensions` }];
  }
  return [];
}
