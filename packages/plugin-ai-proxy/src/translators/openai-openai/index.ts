/**
 * OpenAI Chat Completions clients → the OpenAI API or an OpenAI-compatible server: the same wire on both
 * sides, so the body passes through spliced where gw changes it (request.ts) and the answer is relayed as it
 * came, read on the way for the log (response.ts, stream.ts). Errors keep OpenAI's shape, with the message
 * redacted and a refused gateway key shown as gw's fault (backends/openai/errors.ts).
 */
import type { Translator } from '../translator.js';
import { parseChatBody, type ChatBody } from '../../formats/openai/body.js';
import { openaiFormat } from '../../formats/openai/index.js';
import { openaiBackend } from '../../backends/openai/index.js';
import { openaiErrorPassthrough } from '../../backends/openai/error-answer.js';
import { planChat, type OpenAiChatPlan } from './request.js';
import { completionPassthrough } from './response.js';
import { openaiSsePassthrough } from './stream.js';

const ok = (status: number) => status >= 200 && status < 300;

export const openaiToOpenai: Translator<ChatBody, OpenAiChatPlan> = {
  format: openaiFormat,
  backend: openaiBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody: parseChatBody,
  plan: planChat,
  responseHeaders() {
    // The head is OpenAI's already.
  },
  responseBody({ ctx, response, exchange, plan }) {
    const chat = plan as OpenAiChatPlan | undefined;
    if (!ok(response.status)) return openaiErrorPassthrough(ctx, response, exchange, chat?.gatewayKey === true);
    if (exchange.mode === 'stream') return openaiSsePassthrough(ctx, response, exchange, chat?.stripUsage === true);
    return completionPassthrough(ctx, response, exchange);
  },
};
