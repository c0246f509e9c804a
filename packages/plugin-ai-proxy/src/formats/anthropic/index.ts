/** The Anthropic Messages client format (`llm_format: anthropic`): Claude Code and the Anthropic SDKs. */
import type { ClientFormat } from '../format.js';
import type { ParsedBody } from './body.js';
import { anthropicErrorBody, anthropicErrorStatus, anthropicErrorType } from './errors.js';
import { classifyRoute } from './route.js';
import { anthropicModelsApi } from './models-api.js';
import { estimateInputTokens } from './token-estimate.js';

export const anthropicFormat: ClientFormat<ParsedBody> = {
  name: 'anthropic',
  errorFormat: 'anthropic',
  classifyRoute,
  estimateInputTokens: (body) => estimateInputTokens(body.members),
  errorStatus: anthropicErrorStatus,
  errorType: anthropicErrorType,
  errorBody: anthropicErrorBody,
  modelsApi: anthropicModelsApi,
};

/** SSE response head, as Anthropic sends it. */
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
