/**
 * Anthropic Messages clients (Claude Code) → Bedrock InvokeModel with Anthropic's body: the body is the
 * client's, spliced (betas moved into the body by policy, model and stream dropped); the answer is
 * Anthropic's JSON as it came, or its stream events out of Bedrock's eventstream re-framed as SSE.
 */
import type { Translator } from '../translator.js';
import type { ParsedBody } from '../../formats/anthropic/body.js';
import { parseMessagesBody } from '../../formats/anthropic/body.js';
import { anthropicFormat, SSE_CONTENT_TYPE } from '../../formats/anthropic/index.js';
import { messagePassthrough } from '../../formats/anthropic/message-passthrough.js';
import { bedrockBackend } from '../../backends/bedrock/index.js';
import { bedrockResponseHead } from '../../backends/bedrock/headers.js';
import { takeBedrockError } from '../../backends/bedrock/errors.js';
import type { BedrockPlan } from '../../backends/bedrock/plan.js';
import { isPlainWord } from '../../text/quoted-words.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { BEDROCK_BETA_POLICY } from './beta-policy.js';
import { policyFieldNames } from './betas.js';
import { planInvokeModel } from './plan.js';
import { bedrockStreamToSse } from './stream.js';
import { bedrockCountTokens } from './count-tokens.js';

/**
 * Field names the beta policy may strip: the body scan notes which members mention them, so building the
 * Bedrock body needn't search ~85 KB once per name (body.ts).
 */
const STRIPPABLE_NAMES = policyFieldNames(BEDROCK_BETA_POLICY).filter(isPlainWord);

const ok = (status: number) => status >= 200 && status < 300;

export const anthropicToBedrock: Translator<ParsedBody, BedrockPlan> = {
  format: anthropicFormat,
  backend: bedrockBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody: (bytes) => parseMessagesBody(bytes, STRIPPABLE_NAMES),
  plan: planInvokeModel,
  responseHeaders({ response, exchange }) {
    bedrockResponseHead(exchange, response);
    if (exchange.kind === 'chat' && exchange.mode === 'stream' && ok(response.status)) {
      response.headers['content-type'] = SSE_CONTENT_TYPE;
      response.headers['cache-control'] = 'no-cache';
    }
  },
  responseBody({ ctx, response, exchange }) {
    if (exchange.kind === 'count_tokens') return bedrockCountTokens(ctx, response, exchange);
    if (!ok(response.status)) return errorAnswer(ctx, response, exchange, takeBedrockError);
    return exchange.mode === 'stream' ? bedrockStreamToSse(ctx, response, exchange) : messagePassthrough(ctx, response, exchange);
  },
};
