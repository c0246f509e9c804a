/**
 * The AI_CALL record this plugin publishes for rate-limit, budget, metrics and tracing plugins: read
 * from the exchange when asked, so it is final once the response is over, whether or not
 * `log_statistics` writes the `ai.proxy` log value.
 */
import type { AiCall, AiTokenUsage, AiUsageReport, RequestContext } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { observationsOf } from '../phases/observations.js';
import { timings } from './ai-proxy-log.js';
import { exchangeCost } from './cost.js';
import { usageReport } from './usage-estimate.js';
import type { TokenUsage } from '../usage.js';

/** Kong's route type of each kind of request (count_tokens is gw's own). */
export const ROUTE_TYPE = { chat: 'llm/v1/chat', count_tokens: 'llm/v1/count_tokens', embeddings: 'llm/v1/embeddings' } as const;

export function aiCall(ctx: RequestContext, exchange: AiExchange, format: string): AiCall {
  return {
    provider: exchange.provider,
    format,
    routeType: ROUTE_TYPE[exchange.kind],
    model: exchange.requestModel,
    clientModel: exchange.clientModel,
    stream: exchange.mode === 'stream',
    usage: () => usageOf(ctx, exchange),
  };
}

function usageOf(ctx: RequestContext, exchange: AiExchange): AiUsageReport {
  const seen = observationsOf(exchange);
  const report = usageReport(exchange, seen);
  const usage = report.usage;
  const { llmLatency, firstToken } = timings(exchange);
  const result: AiUsageReport = {
    tokens: tokensOf(usage),
    costUsd: exchangeCost(usage, exchange.pricing),
    estimated: { input: report.promptEstimated, output: report.completionEstimated },
    complete: exchange.error === undefined && seen?.bodyEnded === true && !ctx.signal.aborted,
  };
  if (llmLatency !== undefined) result.latencyMs = llmLatency;
  if (firstToken !== undefined) result.timeToFirstTokenMs = firstToken;
  if (exchange.responseModel !== undefined) result.responseModel = exchange.responseModel;
  if (exchange.responseId !== undefined) result.responseId = exchange.responseId;
  if (exchange.finishReasons !== undefined) result.finishReasons = exchange.finishReasons;
  return result;
}

/** The neutral record's names are AI_CALL's; reasoning only when the backend reported it. */
function tokensOf(usage: TokenUsage): AiTokenUsage {
  const tokens: AiTokenUsage = { input: usage.input, output: usage.output, cacheRead: usage.cacheRead, cacheWrite: usage.cacheWrite };
  if (usage.reasoning !== undefined) tokens.reasoning = usage.reasoning;
  return tokens;
}
