/**
 * OpenAI Chat Completions clients → the Anthropic Messages API (`model.provider: anthropic`): the request is
 * rebuilt as a Messages body around the client's own bytes (request.ts), the answer as a chat.completion
 * (response.ts) or as chat.completion.chunk events (stream.ts); Anthropic's errors reach the client in
 * OpenAI's shape and statuses (formats/openai/errors.ts: overloaded 529 becomes 503).
 */
import type { Translator } from '../translator.js';
import { parseChatBody, type ChatBody } from '../../formats/openai/body.js';
import { openaiFormat } from '../../formats/openai/index.js';
import { SSE_CONTENT_TYPE } from '../../formats/openai/sse.js';
import { anthropicBackend } from '../../backends/anthropic/index.js';
import { takeAnthropicError } from '../../backends/anthropic/errors.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { planOpenAiToAnthropic, type OpenAiAnthropicPlan } from './request.js';
import { messageToCompletion } from './response.js';
import { anthropicSseToChunks } from './stream.js';

const ok = (status: number) => status >= 200 && status < 300;

export const openaiToAnthropic: Translator<ChatBody, OpenAiAnthropicPlan> = {
  format: openaiFormat,
  backend: anthropicBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody: parseChatBody,
  plan: planOpenAiToAnthropic,
  responseHeaders({ response, exchange }) {
    // The body is rebuilt: Anthropic's length no longer holds.
    delete response.headers['content-length'];
    if (exchange.mode === 'stream' && ok(response.status)) {
      response.headers['content-type'] = SSE_CONTENT_TYPE;
      response.headers['cache-control'] = 'no-cache';
    }
  },
  responseBody({ ctx, response, exchange, plan }) {
    if (!ok(response.status)) return errorAnswer(ctx, response, exchange, takeAnthropicError);
    if (exchange.mode === 'oneshot') return messageToCompletion(ctx, response, exchange);
    return anthropicSseToChunks(ctx, response, exchange, (plan as OpenAiAnthropicPlan | undefined)?.includeUsage === true);
  },
};
