/**
 * OpenAI's embeddings endpoint (`llm_format: openai`, `route_type: llm/v1/embeddings`): the same client
 * format as Chat Completions (errors in OpenAI's shape and statuses, ../errors.ts) on another endpoint.
 * A pair reads the body with body.ts and answers with answer.ts.
 */
import type { ConfigIssue } from '@gw/plugin-api';
import type { ClientFormat } from '../../format.js';
import type { AiProxyConfig } from '../../../config/types.js';
import { openaiErrorBody, openaiErrorStatus, openaiErrorType } from '../errors.js';
import type { EmbeddingsBody } from './body.js';
import { classifyEmbeddingsRoute } from './route.js';

/** Generation options an embeddings call has no use for (Kong's own embeddings example sets some). */
const GENERATION_OPTIONS = ['max_tokens', 'temperature', 'top_p', 'top_k'];

export const openaiEmbeddingsFormat: ClientFormat<EmbeddingsBody> = {
  name: 'openai',
  errorFormat: 'openai',
  classifyRoute: classifyEmbeddingsRoute,
  // About four bytes per token; Bedrock and OpenAI report the real count.
  estimateInputTokens: (body) => body.tokenIds ?? Math.max(1, Math.ceil(body.inputs.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 4)),
  errorStatus: openaiErrorStatus,
  errorType: openaiErrorType,
  errorBody: openaiErrorBody,
  validate(config: AiProxyConfig): ConfigIssue[] {
    const options = config.model.options ?? {};
    return GENERATION_OPTIONS.filter((name) => options[name] !== undefined && options[name] !== null).map((name) => ({
      path: `model.options.${name}`,
      severity: 'warning' as const,
      message: 'is not used by embeddings route types (an embedding has no generated output)',
    }));
  },
};
