/**
 * OpenAI Chat Completions clients (the OpenAI SDKs, Codex CLI, LangChain, …) → Bedrock Converse /
 * ConverseStream: the request is rebuilt as a Converse body around the client's own bytes (request.ts),
 * the answer as a chat.completion (response.ts) or as chat.completion.chunk events (stream.ts); Bedrock's
 * errors reach the client in OpenAI's shape and statuses (formats/openai/errors.ts).
 */
import type { Translator } from '../translator.js';
import { parseChatBody, type ChatBody } from '../../formats/openai/body.js';
import { openaiFormat } from '../../formats/openai/index.js';
import { SSE_CONTENT_TYPE } from '../../formats/openai/sse.js';
import { bedrockBackend } from '../../backends/bedrock/index.js';
import { bedrockResponseHead } from '../../backends/bedrock/headers.js';
import { takeBedrockError } from '../../backends/bedrock/errors.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { planConverse, type ConversePlan } from './plan.js';
import { converseToCompletion } from './response.js';
import { converseStreamToChunks } from './stream.js';

const ok = (status: number) => status >= 200 && status < 300;

export const openaiToBedrock: Translator<ChatBody, ConversePlan> = {
  format: openaiFormat,
  backend: bedrockBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody: parseChatBody,
  plan: planConverse,
  responseHeaders({ response, exchange }) {
    bedrockResponseHead(exchange, response);
    if (exchange.mode === 'stream' && ok(response.status)) {
      response.headers['content-type'] = SSE_CONTENT_TYPE;
      response.headers['cache-control'] = 'no-cache';
    }
  },
  responseBody({ ctx, response, exchange, plan }) {
    if (!ok(response.status)) return errorAnswer(ctx, response, exchange, takeBedrockError);
    if (exchange.mode === 'oneshot') return converseToCompletion(ctx, response, exchange);
    return converseStreamToChunks(ctx, response, exchange, (plan as ConversePlan | undefined)?.includeUsage === true);
  },
};
