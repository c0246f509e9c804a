/**
 * Bedrock-native clients (`llm_format: bedrock`: the AWS SDKs, Claude Code in Bedrock mode) → Bedrock
 * Runtime, as a gateway: the client's operation on the model gw's policy allows, the body as the client
 * wrote it but for the beta policy, signed with gw's credentials (never the client's SigV4 or bearer);
 * the answer relayed as Bedrock sent it (an event stream frame for frame), observed for the log.
 */
import { GatewayError } from '@gw/plugin-api';
import type { Translator } from '../translator.js';
import type { NativeBody } from '../../formats/bedrock/body.js';
import { parseNativeBody } from '../../formats/bedrock/body.js';
import { bedrockFormat } from '../../formats/bedrock/index.js';
import { bedrockBackend } from '../../backends/bedrock/index.js';
import type { BedrockPlan } from '../../backends/bedrock/plan.js';
import { isPlainWord } from '../../text/quoted-words.js';
import { BEDROCK_BETA_POLICY } from '../anthropic-bedrock/beta-policy.js';
import { policyFieldNames } from '../anthropic-bedrock/betas.js';
import { nativeErrorAnswer, nativeResponseHead, observeJsonAnswer } from './answer.js';
import { planNative } from './plan.js';
import { relayEventStream } from './stream.js';

/** Field names the beta policy may strip, noted by the body scan (see anthropic-bedrock/index.ts). */
const STRIPPABLE_NAMES = policyFieldNames(BEDROCK_BETA_POLICY).filter(isPlainWord);

const ok = (status: number) => status >= 200 && status < 300;

export const bedrockToBedrock: Translator<NativeBody, BedrockPlan> = {
  format: bedrockFormat,
  backend: bedrockBackend,
  routeTypes: ['llm/v1/chat'],
  parseBody(bytes, request) {
    // The phases always pass the request; the model and operation are in its path.
    if (request === undefined) throw new GatewayError('GW_ERR_INTERNAL', { message: 'a Bedrock-native request needs its path' });
    return parseNativeBody(bytes, request, STRIPPABLE_NAMES);
  },
  plan: planNative,
  responseHeaders({ response, exchange }) {
    nativeResponseHead(exchange, response);
  },
  responseBody({ ctx, response, exchange }) {
    if (!ok(response.status)) return nativeErrorAnswer(ctx, response, exchange);
    return exchange.mode === 'stream' ? relayEventStream(ctx, response, exchange) : observeJsonAnswer(ctx, response, exchange);
  },
};
