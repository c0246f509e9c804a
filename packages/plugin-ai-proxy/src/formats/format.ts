/**
 * What a client format is to the rest of ai-proxy: which endpoint a request is for, what its body holds,
 * and how errors look to its clients. One object per format (formats/<name>/index.ts); translators use the
 * rest of a format's folder (body splicing, stream writer) directly.
 */
import type { ClientRequest, ConfigIssue, ErrorFormat } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import type { ServedModel } from '../models/upstream-models.js';
import type { AiError } from '../errors.js';
import type { RouteKind } from '../exchange.js';

/** What the phases read from any format's request body. */
export interface ParsedRequest {
  /** The client's `model`, when it named one. */
  model: string | undefined;
  /** The client asked to stream. */
  stream: boolean;
}

export interface ClientFormat<Body extends ParsedRequest = ParsedRequest> {
  /** `llm_format`'s value. */
  readonly name: string;
  /** How core renders gateway errors (GatewayError) for clients of this format. */
  readonly errorFormat: ErrorFormat;
  /** Which endpoint a request is for (GW_ERR_AI_NOT_FOUND / _METHOD_NOT_ALLOWED when none). */
  classifyRoute(method: string, path: string): RouteKind;
  /** A local estimate of the prompt's tokens, for count_tokens and for cut answers; undefined if none. */
  estimateInputTokens(body: Body): number | undefined;
  /** The status a client of this format gets for `error`. */
  errorStatus(error: AiError): number;
  /** The error type name a client of this format gets for `error` (also the log's `error.type`). */
  errorType(error: AiError): string;
  /** The JSON body of an error answer. */
  errorBody(error: AiError): string;
  /** The format's Models API, answered by gw from the models the route serves; absent when it has none. */
  readonly modelsApi?: ModelsApi;
  /**
   * True when the client's request itself names the mode (Bedrock's operation: invoke or
   * invoke-with-response-stream): `response_streaming: always` can't turn a oneshot call into a stream.
   */
  readonly modeFromRequest?: boolean;
  /**
   * `model_aliases` when the config has none, for this `model.name` (phases/model.ts has the default
   * `{"claude-*": <model.name>}` when a format names none).
   */
  defaultAliases?(modelName: string | undefined): Record<string, string> | undefined;
  /** Checks and warnings for the rest of the config as this format reads it (messages as Kong's where Kong has one). */
  validate?(config: AiProxyConfig): ConfigIssue[];
}

/** A format's endpoints that list and describe models (Anthropic: GET …/v1/models, …/v1/models/{id}). */
export interface ModelsApi {
  /** The request's path is one of them (checked before the format's other routes). */
  matches(path: string): boolean;
  /** The answer, from what the route serves; a GatewayError for a wrong method, parameter or id. */
  answer(request: ClientRequest, served: readonly ServedModel[]): Response;
}
