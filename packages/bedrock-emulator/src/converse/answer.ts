// Converse and ConverseStream: validate like Bedrock, pick the scenario from the conversation (as for
// InvokeModel), answer with the scripted reply in Converse's shapes.
import type { BedrockError } from '../errors.js';
import { sendError, validationError } from '../errors.js';
import { estimateTokens } from '../messages.js';
import type { Scenario } from '../scenarios.js';
import { plan } from '../scenarios.js';
import type { AnyResponse } from '../transport.js';
import { end, writeHead } from '../transport.js';
import { writeConverseStream } from './stream.js';
import { validateConverseBody } from './validate.js';
import { converseReply, converseResponse, scenarioView, structuredSchema } from './view.js';

export interface ConverseCall {
  res: AnyResponse;
  requestId: string;
  streaming: boolean;
  modelId: string;
  /** The parsed body; undefined when it was not JSON. */
  json: unknown;
  bodyLength: number;
  startedAt: number;
  signal: AbortSignal;
  /** The scenario for this conversation (queue, marker, default), read from its Anthropic-shaped view. */
  pick(view: Record<string, unknown>): Scenario | BedrockError;
  /** `throttle_once`: whether this exact body was throttled before (and remember it now when `scenario` says so). */
  throttledBefore(scenario: Scenario): boolean;
  /** Record which scenario answered. */
  chose(name: string): void;
}

export async function answerConverse(call: ConverseCall): Promise<void> {
  const { res, requestId } = call;
  const problem = call.json === undefined
    ? 'Malformed input request: #: expected type: JSONObject, please reformat your input and try again.'
    : validateConverseBody(call.json, call.modelId);
  if (problem) return sendError(res, requestId, validationError(problem));
  const request = call.json as Record<string, unknown>;
  const view = scenarioView(request);
  const scenario = call.pick(view);
  if (!('name' in scenario)) return sendError(res, requestId, scenario);
  call.chose(scenario.name);
  const planned = plan(scenario, {
    body: view,
    modelId: call.modelId,
    inputTokens: estimateTokens(call.bodyLength),
    streaming: call.streaming,
    throttledBefore: call.throttledBefore(scenario),
  });
  if (planned.kind === 'hang') return;
  if (planned.kind === 'error') return sendError(res, requestId, planned.error);
  const message = converseReply(planned.message, structuredSchema(request));
  if (call.streaming) {
    return writeConverseStream(res, requestId, { message, ending: planned.ending, delayMs: planned.delayMs, padding: planned.padding, startedAt: call.startedAt, signal: call.signal });
  }
  if (planned.delayMs > 0) await new Promise((r) => setTimeout(r, planned.delayMs));
  const body = JSON.stringify(converseResponse(message, Date.now() - call.startedAt));
  writeHead(res, 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  end(res, body);
}
