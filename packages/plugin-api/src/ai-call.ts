/**
 * The AI call a request makes, published by the AI proxy plugins on the `AI_CALL` channel, for plugins
 * that count or limit by it (rate limits and budgets, metrics, traces). Format-neutral: the same record
 * whatever the client speaks (Anthropic, OpenAI, Bedrock) and whichever backend answers.
 */
import { defineChannel } from './channels.js';

/** Token counts as the backend reports them, split so that each kind can be priced on its own. */
export interface AiTokenUsage {
  /** Prompt tokens neither read from nor written to a prompt cache. */
  input: number;
  /** Generated tokens, reasoning included. */
  output: number;
  cacheRead: number;
  /** Prompt tokens written to a cache, whatever the TTL. */
  cacheWrite: number;
  /** Of `cacheWrite`, those written with a 1-hour TTL, when the backend says. */
  cacheWrite1h?: number;
  /** Of `output`, reasoning (thinking) tokens, when the backend reports them apart. */
  reasoning?: number;
}

export interface AiUsageReport {
  tokens: AiTokenUsage;
  /** USD for these tokens, when a price is known; undefined when not. */
  costUsd: number | undefined;
  /** Counts that are gw's estimate (the answer was cut, or never reported them) rather than the backend's. */
  estimated: { input: boolean; output: boolean };
  /** The answer reached its end: not cut by the client, the backend or gw, and not an error. */
  complete: boolean;
  /**
   * ms from the upstream request being sent to the answer's last token (Kong's `llm_latency`); for an
   * answer that carried no token, to its end. Undefined before the answer started, or if the publisher
   * does not measure it.
   */
  latencyMs?: number;
  /** ms from the upstream request being sent to the first token (a oneshot answer: `latencyMs`). */
  timeToFirstTokenMs?: number;
  /** The model the backend says answered, when it says (Anthropic `message.model`). */
  responseModel?: string;
  /** The backend's id for the answer (Anthropic `message.id`). */
  responseId?: string;
  /** Why the answer ended, as the backend says (Anthropic `stop_reason`: `end_turn`, `max_tokens`, `tool_use`, …). */
  finishReasons?: readonly string[];
}

export interface AiCall {
  /** The backend's provider name, as in `model.provider`: `bedrock`, `anthropic`, `openai`, … */
  readonly provider: string;
  /** What the client speaks, as in `llm_format`: `anthropic`, `openai`, `bedrock`. */
  readonly format: string;
  /** Kong's route type: `llm/v1/chat`, `llm/v1/embeddings`, … */
  readonly routeType: string;
  /** The model id sent to the backend. */
  readonly model: string;
  /** The model the client asked for, when it named one. */
  readonly clientModel: string | undefined;
  readonly stream: boolean;
  /** Usage as far as it is known when called; final once the response is over (the log phase). */
  usage(): AiUsageReport;
}

export const AI_CALL = defineChannel<AiCall>('ai-call');
