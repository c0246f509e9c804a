/** The Anthropic Messages client format (`llm_format: anthropic`): Claude Code and the Anthropic SDKs. */
import type { ClientFormat } from '../format.js';
import { anthropicErrorBody, anthropicErrorStatus, anthropicErrorType } from './errors.js';

export const anthropicFormat: ClientFormat = {
  name: 'anthropic',
  errorFormat: 'anthropic',
  errorStatus: anthropicErrorStatus,
  errorType: anthropicErrorType,
  errorBody: anthropicErrorBody,
};
