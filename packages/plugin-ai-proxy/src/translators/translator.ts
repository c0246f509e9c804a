/**
 * The contract between ai-proxy's phases (phases/) and one supported (client format, backend) pair. Each
 * pair is one folder under translators/ exporting one Translator; translators/index.ts lists them, and
 * that list is what config validation accepts. The phases never look at the format or the provider: they
 * call the translator the instance was configured with (AiState.translator).
 *
 * A translator composes its client format (formats/<name>/: routes, body checks, error rendering, the
 * stream writer) and its backend (backends/<name>/: URL, auth, error mapping, applying the plan) and owns
 * only what is specific to the pair: how a request body becomes the backend's, and how the backend's
 * answer becomes the client's. Keep the hot path as it is: objects built once per module, no closure per
 * request beyond the Transformer the response needs.
 */
import type { BodyBytes, ClientRequest, RequestContext, ResponseHead, UpstreamRequest } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import type { ConfigIssue } from '@gw/plugin-api';
import type { AiExchange, RouteKind } from '../exchange.js';
import type { Endpoint } from '../backends/endpoint.js';
import type { AiState } from '../phases/state.js';
import type { ClientFormat, ParsedRequest } from '../formats/format.js';
import type { UpstreamModels } from '../models/upstream-models.js';

/** What every backend's plan has: where the request goes and what it sends (the rest is the backend's). */
export interface UpstreamPlan {
  endpoint: Endpoint;
  /** Wire path, percent-encoded. */
  path: string;
  /** Replacement body; undefined when the client's bytes go through unchanged. Emptied once the upstream answered. */
  body: BodyBytes | undefined;
}

export interface Backend<Plan extends UpstreamPlan = UpstreamPlan> {
  /** `model.provider`'s value. */
  readonly name: string;
  /** How gw authenticates to it: AWS SigV4 (auth/aws) or a key in a header or query parameter (auth/api-key.ts). */
  readonly auth: 'aws-sigv4' | 'api-key';
  /** The response header carrying the upstream's request id (logged beside gw's). */
  readonly requestIdHeader: string;
  /** Per configured instance, in `init` (e.g. what AWS needs); kept as AiState.backend. */
  init?(config: AiProxyConfig, env: NodeJS.ProcessEnv, logger: { warn(message: string): void }): Promise<unknown> | unknown;
  /** Kong's entity checks for this provider (messages as Kong's). */
  validate?(config: AiProxyConfig): ConfigIssue[];
  /**
   * The model catalogue as this upstream serves it, for the instance's (rendered) config: which id a
   * catalogue model is called by (Bedrock: per region), which ids are its own, prices. Model resolution,
   * the Models API and pricing read it; without it, an unpinned route passes client ids through.
   */
  models?(config: AiProxyConfig, state: unknown): Promise<UpstreamModels> | UpstreamModels;
  /** Point the upstream request at the backend; runs before every attempt (a retry re-signs). */
  apply(plan: Plan, upstream: UpstreamRequest): void;
}

export interface PlanInput<Body> {
  /** The configuration with model templates rendered for this request. */
  config: AiProxyConfig;
  state: AiState;
  kind: RouteKind;
  /** Model id for the upstream (after aliasing). */
  model: string;
  /** The client asked to stream, or response_streaming forces it. */
  stream: boolean;
  body: Body;
  request: ClientRequest;
}

export interface Planned<Plan extends UpstreamPlan> {
  plan: Plan;
  /** The body as sent upstream (for payload logging). */
  sent: BodyBytes;
}

export interface ResponseInput {
  ctx: RequestContext;
  response: ResponseHead;
  exchange: AiExchange;
  /** What `plan` decided for this request (the translator's own plan type); its body is emptied by now. */
  plan?: UpstreamPlan | undefined;
}

export interface Translator<Body extends ParsedRequest = ParsedRequest, Plan extends UpstreamPlan = UpstreamPlan> {
  readonly format: ClientFormat<Body>;
  readonly backend: Backend<Plan>;
  /** Kong route types this pair serves. */
  readonly routeTypes: readonly string[];
  /**
   * Read and check the client's body (the format's parser, told what this pair will look for). `request`
   * for formats that carry part of the request outside the body (Bedrock: the model and operation in the path).
   */
  parseBody(bytes: Uint8Array, request?: ClientRequest): Body;
  /** Everything the upstream call needs, resolved once in `access` (errors surface before proxying). */
  plan(input: PlanInput<Body>): Promise<Planned<Plan>> | Planned<Plan>;
  /** Rewrite the response head for the client (the phases did the neutral part). */
  responseHeaders(input: ResponseInput): void;
  /** The transform from the backend's answer to the client's; undefined leaves the body as it is. */
  responseBody(input: ResponseInput): Transformer<Uint8Array, Uint8Array> | undefined;
}

