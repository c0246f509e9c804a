/**
 * Kong's `ai.proxy` log value, written from the neutral usage record (usage.ts) (docs/reference/kong.md#the-aiproxy-log-value): `meta`, `usage`, `tried_targets`, and
 * `payload` with log_payloads. Field names are Kong's; gw additions (`error`, `count_tokens`, the cache
 * counts) only appear when they carry something.
 */
import type { JsonValue, LogRecord } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { promptTokens } from '../usage.js';
import type { ResponseObservations } from '../phases/observations.js';
import { usageReport } from './usage-estimate.js';
import { exchangeCost } from './cost.js';
import { ROUTE_TYPE } from './ai-call.js';

/** One `tried_targets[]` entry; the request side knows host and scheme, the log record ip/port/uri. */
export interface TriedTarget {
  host?: string;
  port?: number;
  upstream_scheme?: string;
  upstream_uri?: string;
  ip?: string;
}

export interface AiProxyLogInput {
  exchange: AiExchange;
  observations?: ResponseObservations | undefined;
  record?: LogRecord | undefined;
  target?: TriedTarget | undefined;
}


const ms = (from: number | undefined, to: number | undefined): number | undefined =>
  from === undefined || to === undefined ? undefined : Math.max(0, Math.round(to - from));

function withoutUndefined(object: Record<string, JsonValue | undefined>): Record<string, JsonValue> {
  // A loop, not entries/filter/fromEntries: three arrays and a pair per member, on every request.
  const out: Record<string, JsonValue> = {};
  for (const name in object) {
    const value = object[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Kong's `llm_latency`: ms from the upstream request to the (last) response byte; and the time to the
 * first token (a oneshot answer's first token is the whole answer).
 */
export function timings(exchange: AiExchange): { llmLatency: number | undefined; firstToken: number | undefined } {
  const llmLatency = ms(exchange.upstreamSentAt, exchange.lastTokenAt ?? exchange.firstTokenAt);
  const firstToken = exchange.mode === 'oneshot' ? llmLatency : ms(exchange.upstreamSentAt, exchange.firstTokenAt);
  return { llmLatency, firstToken };
}

export function buildAiProxyLog({ exchange, observations, record, target }: AiProxyLogInput): Record<string, JsonValue> {
  const report = usageReport(exchange, observations);
  const usage = report.usage;
  const prompt = promptTokens(usage);
  const completion = usage.output;
  // Kong: latency to the (last) response byte; for oneshot the first token is the whole answer.
  const { llmLatency, firstToken } = timings(exchange);
  const cost = exchangeCost(usage, exchange.pricing);

  const value: Record<string, JsonValue> = {
    tried_targets: [triedTarget(exchange, record, target)],
    meta: withoutUndefined({
      plugin_id: exchange.pluginId,
      provider_name: exchange.provider,
      request_model: exchange.requestModel,
      // gw: the id the client asked for, when an alias mapped it to another (docs/decisions/0004).
      client_model: exchange.clientModel !== exchange.requestModel ? exchange.clientModel : undefined,
      response_model: exchange.responseModel ?? exchange.requestModel,
      request_mode: exchange.mode,
      llm_latency: llmLatency,
      // gw: the upstream's own id for the request (Bedrock's x-amzn-requestid, Anthropic's request-id),
      // beside the record's request.id, which the client got as request-id / X-Kong-Request-Id.
      upstream_request_id: observations?.upstreamRequestId,
    }),
    usage: withoutUndefined({
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      // Kong's field is always a number (0 when unpriced); gw says where a price came from.
      cost: cost ?? 0,
      cost_source: cost === undefined ? undefined : exchange.pricing?.source,
      time_to_first_token: firstToken,
      time_per_token: llmLatency !== undefined && completion > 0 ? llmLatency / completion : 0,
      prompt_tokens_details: { cached_tokens: usage.cacheRead },
      completion_tokens_details: usage.reasoning === undefined ? {} : { reasoning_tokens: usage.reasoning },
      cache_read_input_tokens: usage.cacheRead,
      cache_creation_input_tokens: usage.cacheWrite,
      // gw: which counts are gw's estimate rather than the upstream's, and what the upstream had reported.
      prompt_tokens_estimated: report.promptEstimated || undefined,
      completion_tokens_estimated: report.completionEstimated || undefined,
      reported: report.reported && { prompt_tokens: promptTokens(report.reported), completion_tokens: report.reported.output },
      relayed_deltas: report.relayedDeltas,
    }),
  };
  if (exchange.kind === 'count_tokens' && observations?.countedTokens !== undefined) {
    value.count_tokens = { input_tokens: observations.countedTokens, estimated: observations.tokensEstimated };
  }
  const error = exchange.error;
  if (error !== undefined) {
    // As the client saw it (its format's status and type), and as the upstream said it.
    value.error = withoutUndefined({
      status: exchange.format.errorStatus(error),
      type: exchange.format.errorType(error),
      message: error.message,
      upstream_status: observations?.upstreamStatus,
      upstream_type: observations?.upstreamErrorType,
      upstream_request_id: observations?.upstreamRequestId,
      events_sent: observations?.eventsSent,
    });
  }
  if (exchange.logPayloads) {
    value.payload = withoutUndefined({ request: exchange.requestPayload, response: exchange.responsePayload });
  }
  return value;
}

function triedTarget(exchange: AiExchange, record: LogRecord | undefined, target: TriedTarget | undefined): JsonValue {
  const lastTry = record?.tries.at(-1);
  return withoutUndefined({
    provider: exchange.provider,
    model: exchange.requestModel,
    host: target?.host,
    port: target?.port ?? lastTry?.port,
    upstream_scheme: target?.upstream_scheme,
    upstream_uri: target?.upstream_uri ?? record?.upstream_uri,
    route_type: ROUTE_TYPE[exchange.kind],
    ip: target?.ip ?? lastTry?.ip,
  });
}
