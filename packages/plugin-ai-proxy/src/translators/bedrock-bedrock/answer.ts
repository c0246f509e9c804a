/**
 * Bedrock's non-streaming answers relayed to a Bedrock-native client as they came: the head (its
 * `x-amzn-bedrock-*` headers are this client's API: token counts, latency, the stream's content type), the
 * body passed on chunk by chunk, and a capped copy read at the end for the model, usage and stop reason
 * (InvokeModel's model JSON, Converse's JSON, CountTokens' `inputTokens`). Errors are re-rendered, not
 * relayed raw: the message loses what could carry a credential (AWS signature errors echo the canonical
 * request), the name and status stay Bedrock's.
 */
import type { HeaderMap, RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import type { AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { anthropicUsage } from '../../formats/anthropic/usage.js';
import { bedrockErrorType } from '../../formats/bedrock/errors.js';
import { takeBedrockError } from '../../backends/bedrock/errors.js';
import { tokenCountHeaders } from '../../backends/bedrock/metrics.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { jsonPassthrough } from '../../phases/json-passthrough.js';
import { observe } from '../../phases/observations.js';
import { converseUsage } from '../../backends/bedrock/converse/usage.js';

const ok = (status: number) => status >= 200 && status < 300;

/** InvokeModel's head carries the counts of any model's answer: known even if the body is then cut. */
export function nativeResponseHead(exchange: AiExchange, response: ResponseHead): void {
  if (exchange.kind !== 'chat' || exchange.mode !== 'oneshot' || !ok(response.status)) return;
  const counts = tokenCountHeaders(response.headers);
  if (counts === undefined) return;
  const usage = createUsageTracker();
  usage.fallback(counts);
  exchange.usage = usage.current();
  const seen = observe(exchange);
  seen.promptReported = counts.input !== undefined;
  seen.finalOutputReported = counts.output !== undefined;
}

/** A Bedrock error, kept in Bedrock's terms for this client (AiError.native) and answered in Bedrock's shape. */
function readNativeError(status: number, headers: HeaderMap, body: string): { error: AiError; upstreamType: string } {
  const read = takeBedrockError(status, headers, body);
  // A nameless error (neither header nor body named it) is named by its kind, with Bedrock's status.
  if (read.upstreamType !== 'Unknown') read.error.native = { status, type: read.upstreamType };
  else read.error.native = { status, type: bedrockErrorType(read.error) };
  return read;
}

export function nativeErrorAnswer(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return errorAnswer(ctx, response, exchange, readNativeError, (answer) => {
    response.headers['x-amzn-errortype'] = bedrockErrorType(exchange.error!);
    return answer;
  });
}

export function observeJsonAnswer(ctx: RequestContext, response: ResponseHead, exchange: AiExchange): Transformer<Uint8Array, Uint8Array> {
  return jsonPassthrough(ctx, response, exchange, readBody);
}

function readBody(exchange: AiExchange, body: Record<string, unknown>): void {
  if (exchange.kind !== 'count_tokens') return readAnswer(exchange, body);
  const n = body.inputTokens;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) observe(exchange).countedTokens = n;
}

/** A Claude answer (Anthropic's message JSON) or a Converse answer; other models' bodies leave the head's counts. */
function readAnswer(exchange: AiExchange, body: Record<string, unknown>): void {
  const seen = observe(exchange);
  const converse = body.output !== undefined || body.stopReason !== undefined;
  if (converse) {
    if (typeof body.stopReason === 'string') exchange.finishReasons = [body.stopReason];
  } else {
    if (typeof body.model === 'string') exchange.responseModel = body.model;
    if (typeof body.id === 'string') exchange.responseId = body.id;
    if (typeof body.stop_reason === 'string') exchange.finishReasons = [body.stop_reason];
  }
  const counts = converse ? converseUsage(body.usage) : anthropicUsage(body.usage);
  if (counts === undefined || (counts.input === undefined && counts.output === undefined)) return;
  // The body's counts replace the head's.
  const usage = createUsageTracker();
  usage.reported(counts);
  exchange.usage = usage.current();
  if (counts.input !== undefined) seen.promptReported = true;
  if (counts.output !== undefined) seen.finalOutputReported = true;
}
