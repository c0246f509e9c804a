/**
 * Usage as far as it is known. A whole answer carries the upstream's counts. An answer that was cut (the
 * client left, the upstream broke off, gw stopped) or that never reported its final count carries only
 * some of them: message_start's input count and its provisional output count (1), or nothing at all.
 * Budgets charge from these numbers, so gw fills the gap with its own estimate of what was relayed and
 * says which counts are estimates (docs/plugins/ai-proxy.md, "Log").
 */
import type { AiExchange } from '../exchange.js';
import type { TokenUsage } from '../usage.js';
import type { ResponseObservations } from '../phases/observations.js';

/**
 * Bytes of the JSON around a delta's text: `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}`.
 * Tool-input and thinking deltas have slightly longer envelopes, so their content is overcounted a little.
 */
export const DELTA_ENVELOPE = 80;
/** About four bytes per token, as count_tokens' local estimate (formats/anthropic/token-estimate.ts) and Kong's stream estimate. */
const BYTES_PER_TOKEN = 4;

export interface UsageReport {
  /** The counts to publish and price: the upstream's where it reported them, gw's estimate elsewhere. */
  usage: TokenUsage;
  promptEstimated: boolean;
  completionEstimated: boolean;
  /** What the upstream itself had reported, when something is estimated. */
  reported: TokenUsage | undefined;
  /** Stream deltas relayed to the client, when the output count is estimated. */
  relayedDeltas: number | undefined;
}

const ok = (status: number) => status >= 200 && status < 300;

export function usageReport(exchange: AiExchange, seen: ResponseObservations | undefined): UsageReport {
  const reported = exchange.usage;
  const whole: UsageReport = { usage: reported, promptEstimated: false, completionEstimated: false, reported: undefined, relayedDeltas: undefined };
  // Only a chat answer the upstream accepted and started to send can have generated tokens nobody counted.
  if (exchange.kind !== 'chat' || seen === undefined || !ok(seen.upstreamStatus)) return whole;
  const relayed = seen.eventsSent > 0 || seen.bodyBytes > 0;
  if (!relayed || seen.finalOutputReported) return whole;

  const stream = exchange.mode === 'stream';
  const contentBytes = stream ? Math.max(0, seen.deltaBytes - seen.deltas * DELTA_ENVELOPE) : seen.bodyBytes;
  // At least one token per delta, and never less than the upstream already counted.
  const output = Math.max(reported.output, stream ? seen.deltas : 0, Math.ceil(contentBytes / BYTES_PER_TOKEN));
  const promptEstimated = !seen.promptReported && exchange.localTokenEstimate !== undefined;
  return {
    usage: {
      ...reported,
      input: promptEstimated ? exchange.localTokenEstimate! : reported.input,
      output,
    },
    promptEstimated,
    completionEstimated: true,
    reported,
    relayedDeltas: stream ? seen.deltas : undefined,
  };
}
