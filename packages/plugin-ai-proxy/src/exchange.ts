/**
 * One AI exchange: what the request side of ai-proxy decided (translator, mode, model, costs) and what the
 * response side observed (usage, timings, errors). Created in `access`, kept in the plugin's per-request
 * `local`, read in `log` to publish the `ai.proxy` serialize value. This is the only contract between
 * the request side (phases/access.ts, the translator's plan) and the response side (the translator's transforms).
 */

/** `model.provider`: the backend's name. */
export type Provider = string;
export type RouteKind = 'chat' | 'count_tokens' | 'embeddings';
export type RequestMode = 'oneshot' | 'stream';

/** Per-million-token prices from `model.options.*_cost`; absent ones count as 0. */
export interface Costs {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * What prices this exchange: Kong's `model.options.*_cost` when the config sets any of them, else the
 * model catalogue's table for the upstream model actually called (stats/cost.ts); none when neither knows.
 */
export type Pricing = { source: 'config'; costs: Costs } | { source: 'catalogue'; prices: Prices };

import type { Prices } from '@gw/model-catalogue';
import type { TokenUsage } from './usage.js';
import type { AiError } from './errors.js';
import type { ResponseObservations } from './phases/observations.js';
import type { ClientFormat } from './formats/format.js';
import type { Translator } from './translators/translator.js';

export interface AiExchange {
  /** The pair serving this request: the response side is its (translators/). */
  translator: Translator<any, any>;
  /** What the client speaks (the translator's format): how its errors are rendered and logged. */
  format: ClientFormat<any>;
  provider: Provider;
  kind: RouteKind;
  mode: RequestMode;
  /** Model id sent upstream (configured `model.name`, after aliasing). */
  requestModel: string;
  /** The `model` the client put in its body, if any. */
  clientModel: string | undefined;
  pluginId: string;
  logStatistics: boolean;
  logPayloads: boolean;
  /** Bedrock streams: ms of upstream silence before a `ping` event (0: none). */
  pingIntervalMs: number;
  pricing: Pricing | undefined;
  /** Request body as sent upstream, kept only when `log_payloads`. */
  requestPayload: string | undefined;
  /**
   * A local estimate of the input tokens (token-estimate.ts): count_tokens answers it when the upstream
   * can't count; the log falls back to it when a cut answer never reported its input count.
   */
  localTokenEstimate: number | undefined;

  /** `ctx.now()` when the upstream request was handed to the upstream client. */
  upstreamSentAt: number | undefined;
  /** `ctx.now()` at the first content delta (stream) or at the response head (oneshot). */
  firstTokenAt: number | undefined;
  /** `ctx.now()` when the response body ended. */
  lastTokenAt: number | undefined;
  /** As the upstream reported it so far, in the neutral record (usage.ts). */
  usage: TokenUsage;
  /** `model` reported by the upstream in its response. */
  responseModel: string | undefined;
  /** The answer's own id (Anthropic's `msg_…`), when the upstream gave one. */
  responseId: string | undefined;
  /** Why generation stopped, as the upstream said it (`end_turn`, `max_tokens`, `tool_use`, …). */
  finishReasons: string[] | undefined;
  /** Response body as sent to the client, kept only when `log_payloads` (capped). */
  responsePayload: string | undefined;
  /** Set when the upstream failed (HTTP error, error event, exception frame, cut stream), neutral (errors.ts). */
  error: AiError | undefined;
  /** What the response side saw for the log (phases/observations.ts), made when first observed. */
  observations: ResponseObservations | undefined;
}
