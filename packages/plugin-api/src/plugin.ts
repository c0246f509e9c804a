/**
 * The plugin contract. A plugin package default-exports `definePlugin({...})`.
 *
 * Phases run in this order for every proxied request (docs/architecture.md draws it):
 *
 *   access ─► upstream ─► (gw calls the upstream) ─► afterTry ─► responseHeaders ─► responseBody ─► log
 *                 ▲                                        │ 'retry'
 *                 └────────────────────────────────────────┘
 *
 * Within a phase, plugins run by `priority` descending, ties by name descending (Kong's order).
 * For each plugin name exactly one configuration applies per request: the most specific scope.
 */
import type { RequestContext, UpstreamRequest, ResponseHead, TryDecision, UpstreamTry } from './context.js';
import type { LogRecord } from './log-record.js';
import type { JsonSchema } from './json.js';
import type { ErrorFormat } from './errors.js';
import type { PluginStatusReport, StatusEndpoint } from './status.js';

/**
 * A problem found in a plugin's config by `validate`; `path` is relative to `config`, e.g.
 * `model.options.max_tokens`. An `error` (the default) refuses the config; a `warning` accepts it and is
 * printed by `gw sync` and `gw start`: for a field the plugin accepts but does not act on.
 */
export interface ConfigIssue {
  path: string;
  message: string;
  severity?: 'error' | 'warning';
}

/** Where a config is being checked. */
export interface ValidateContext {
  /** The folder relative paths in this plugin's config resolve against: its file's folder (`init` gets the same). */
  configDir: string;
  /** What the instance is scoped to, as written (a rule may depend on it: Kong's `identifier: consumer-group`). */
  scope: WrittenScope;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What gw hands a plugin instance when it is created (once per configured instance, per config load). */
export interface PluginServices {
  logger: Logger;
  /** Folder of the config file that declared the plugin: resolve relative paths against it. */
  configDir: string;
  /** The plugin entity's id (stable, derived from its scope and name like Kong's declarative ids). */
  pluginId: string;
  /**
   * This gateway's node id (Kong's node_id; random per process), the status listener's `NodeStatus.nodeId`.
   * gw always sets it; optional so that services made by hand in a plugin's tests need not.
   */
  nodeId?: string;
  /**
   * The entities this instance is scoped to, by id (Kong's `conf.route_id`, `conf.service_id`, …); null when
   * not. gw always sets it; optional so that services made by hand in a plugin's tests need not.
   */
  scope?: PluginScope;
}

/** The ids of the entities a plugin instance is scoped to. */
export interface PluginScope {
  service: string | null;
  route: string | null;
  consumer: string | null;
  consumerGroup: string | null;
}

/**
 * Which scope fields an instance sets, as written in the file (names or ids), for `validate`: a rule that
 * depends on the scope (Kong's `identifier: consumer-group` needs a consumer_group-scoped instance).
 */
export interface WrittenScope {
  service?: string;
  route?: string;
  consumer?: string;
  consumerGroup?: string;
}

/** Arguments every phase handler receives. `local` is per request and private to this plugin. */
export interface PhaseInput<Config, State, Local> {
  ctx: RequestContext;
  config: Config;
  state: State;
  local: Local;
}

/** Kong's protocol names (the `protocols` field of routes and plugins). */
export type KongProtocol = 'grpc' | 'grpcs' | 'http' | 'https' | 'tcp' | 'tls' | 'tls_passthrough' | 'udp' | 'ws' | 'wss';

/**
 * Which entities an instance may be scoped to: Kong's `no_consumer`, `no_route` and `no_service` schema
 * fields. An absent key means allowed. An authentication plugin sets `{ consumer: false }`: it is what
 * finds the consumer, so it cannot be chosen by one (Kong: `consumer: value must be null`).
 */
export interface PluginScopes {
  service?: boolean;
  route?: boolean;
  consumer?: boolean;
}

/**
 * The plugin's `protocols` field, as its Kong schema declares it: which protocols an instance may list
 * and the default when it lists none. Absent: Kong's `typedefs.protocols` (any; default grpc, grpcs,
 * http, https). `typedefs.protocols_http` is `allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss']`.
 */
export interface PluginProtocols {
  allowed?: readonly KongProtocol[];
  default?: readonly KongProtocol[];
}

export interface PluginDefinition<Config = Record<string, unknown>, State = undefined, Local = Record<string, unknown>> {
  /** kebab-case; the `name` used in `plugins[].name`. */
  name: string;
  /** semver `x.y.z`. */
  version: string;
  /** Integer; higher runs first. Use Kong's value where Kong has the plugin. */
  priority: number;
  /** JSON Schema (ajv, draft-07) for `config`. Defaults are filled in. Mark secret strings with `"x-secret": true`. */
  configSchema: JsonSchema;
  /** Scopes an instance may not have (Kong's no_consumer / no_route / no_service); all allowed when absent. */
  scopes?: PluginScopes;
  /** What `protocols` may list, and its default; Kong's generic rule when absent. */
  protocols?: PluginProtocols;
  /**
   * Cross-field rules that JSON Schema can't express (Kong's entity_checks), and warnings about the
   * environment the config will meet (a log folder that doesn't exist). Runs at every load: `gw sync`,
   * `gw start`, reloads; keep it quick and free of side effects.
   */
  validate?(config: Config, context?: ValidateContext): ConfigIssue[];
  /**
   * The format of gw's own errors on requests this instance applies to, from the start of the request:
   * ai-proxy answers `anthropic`, so a 401 from key-auth (which runs first) still reaches Claude Code in
   * a shape it understands. The first plugin in execution order that names one wins; default `kong`.
   */
  errorFormat?(config: Config): ErrorFormat | undefined;
  /**
   * This plugin authenticates: it identifies the consumer and refuses (or answers itself) a request it
   * can't identify, as key-auth does. A function decides per configured instance (key-auth with
   * `anonymous` set lets every request through). `gw sync` and `gw start` read it to find routes that
   * anyone can use with the gateway's own credentials (see `usesGatewayCredentials`).
   */
  authenticates?: boolean | ((config: Config) => boolean);
  /**
   * This plugin calls its upstream with credentials the gateway holds (ai-proxy signing with the
   * operator's AWS keys, or sending a configured API key): on a route no authenticating plugin guards,
   * anyone who can reach the listener spends them, and `gw sync` / `gw start` warn, naming the route.
   * A function decides per configured instance (ai-proxy passing the client's own key uses none).
   */
  usesGatewayCredentials?: boolean | ((config: Config) => boolean);
  /** Called once per configured instance when a config is loaded; returns the instance state. */
  init?(config: Config, services: PluginServices): State | Promise<State>;
  /** Called when the config that created the instance is retired (reload or shutdown), after in-flight requests end. */
  close?(state: State): void | Promise<void>;
  /** SIGUSR1: reopen files (log rotation). */
  reopen?(state: State): void | Promise<void>;
  /**
   * Endpoints this plugin serves on the status listener (Kong's plugin `status_api.lua`), e.g. the
   * prometheus plugin's `GET /metrics`. Per plugin, not per instance: served while the plugin is loaded.
   */
  statusEndpoints?: readonly StatusEndpoint[];
  /**
   * The plugin's own counters, read when `GET /status` or a metrics endpoint is asked: `values` appear in
   * `/status` under `plugins.<name>`, `metrics` are exported by a metrics plugin. Per plugin, not per
   * instance: sum over your instances (and keep counting across reloads). Keep it cheap and never throw.
   */
  status?(): PluginStatusReport;

  /** May answer the request itself by returning a Response; may throw a GatewayError. */
  access?(input: PhaseInput<Config, State, Local>): void | Response | Promise<void | Response>;
  /** Rewrite the upstream request (target, path, headers, body). Runs again before each retry. */
  upstream?(input: PhaseInput<Config, State, Local> & { upstream: UpstreamRequest }): void | Promise<void>;
  /**
   * After every upstream try, before anything of it reaches the client: its response head or its failure
   * (`attempt`). Return `'retry'` to drop it and send the request again: gw destroys the response unread
   * (its connection is not reused), runs the `upstream` phase of every plugin again (choose another
   * target there, or here) and sends. Return `'stop'` to keep the try as the outcome, also for a failure
   * gw would retry itself (`service.retries`). Return nothing to leave the decision to gw. A plugin that
   * asks for retries bounds them itself; gw never retries once part of a streamed client body was sent
   * (read the body in `access` to keep it). With several plugins, all are called; `stop` wins over `retry`.
   * A promise is awaited; a throw fails the request (500). Runs only for plugins that define it: a route
   * without one pays nothing.
   */
  afterTry?(input: PhaseInput<Config, State, Local> & { attempt: UpstreamTry }): TryDecision | void | Promise<TryDecision | void>;
  /** Inspect or change the response status and headers before they are sent. */
  responseHeaders?(input: PhaseInput<Config, State, Local> & { response: ResponseHead }): void;
  /**
   * Transform the response body as a stream. Return nothing to leave it alone.
   * Return either a `Transformer` (the `{ start?, transform?, flush? }` object `new TransformStream` takes:
   * cheaper, gw calls it directly on the upstream's chunks with no stream objects) or a `TransformStream`.
   * Both get the same controller semantics (`enqueue`, `error`, `terminate`, `desiredSize`); a promise a
   * hook returns holds the body until it settles. When every plugin returns a Transformer, gw drives them
   * directly; otherwise each is wrapped in a TransformStream and all are chained with pipeThrough.
   * Either way transforms run in execution order.
   * gw sends the status and headers together with the first body byte, so a transform may still change
   * `response.status` / `response.headers` until it enqueues its first chunk (e.g. to turn an upstream
   * failure found in the first frame into a plain HTTP error).
   */
  responseBody?(
    input: PhaseInput<Config, State, Local> & { response: ResponseHead },
  ): TransformStream<Uint8Array, Uint8Array> | Transformer<Uint8Array, Uint8Array> | void;
  /** Runs after the response is finished. Can't change it; errors are caught and reported. */
  log?(input: PhaseInput<Config, State, Local> & { record: LogRecord }): void | Promise<void>;
}

/** Identity function that exists for type inference. */
export function definePlugin<Config = Record<string, unknown>, State = undefined, Local = Record<string, unknown>>(
  definition: PluginDefinition<Config, State, Local>,
): PluginDefinition<Config, State, Local> {
  return definition;
}

/** The names of the request phases, in order (`afterTry` runs between `upstream` and `responseHeaders`, once per try). */
export const PHASES = ['access', 'upstream', 'afterTry', 'responseHeaders', 'responseBody', 'log'] as const;
export type PhaseName = (typeof PHASES)[number];
