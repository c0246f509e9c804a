/**
 * Anthropic Messages clients → the Anthropic API: the same wire on both sides, so bytes pass through
 * (the body spliced only where gw changes it); the answer is relayed as it came and read on the way for
 * usage, the model and errors.
 */
import type { Translator } from '../translator.js';
import { parseMessagesBody, type ParsedBody } from '../../formats/anthropic/body.js';
import { anthropicFormat } from '../../formats/anthropic/index.js';
import { messagePassthrough } from '../../formats/anthropic/message-passthrough.js';
import { anthropicBackend } from '../../backends/anthropic/index.js';
import type { AnthropicPlan } from '../../backends/anthropic/plan.js';
import { planMessages } from './request.js';
import { anthropicSsePassthrough } from './sse-passthrough.js';

const ok = (status: number) => status >= 200 && status < 300;

export const anthropicToAnthropic: Translator<ParsedBody, AnthropicPlan> = {
  format: anthropicFormat,
  backend: anthropicBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody: (bytes) => parseMessagesBody(bytes),
  plan: planMessages,
  responseHeaders() {
    // The head is Anthropic's already.
  },
  responseBody({ ctx, response, exchange }) {
    // Errors and count_tokens pass through unchanged; the copy only feeds the log.
    if (exchange.kind === 'chat' && exchange.mode === 'stream' && ok(response.status)) return anthropicSsePassthrough(ctx, response, exchange);
    return messagePassthrough(ctx, response, exchange);
  },
};
