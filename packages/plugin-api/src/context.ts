/**
 * What a plugin sees of a request. Core owns the implementation; plugins only read these shapes
 * and call the methods offered here, never core internals.
 */
import type { JsonValue } from './json.js';
import type { ServiceEntity, RouteEntity, ConsumerEntity, ConsumerGroupEntity } from './entities.js';
import type { ErrorFormat } from './errors.js';
import type { Channel } from './channels.js';

export type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Body bytes: one buffer, or pieces gw sends in order as one body without joining them, so a plugin
 * that rewrites a large body can reuse slices of the client's bytes instead of copying them.
 */
export type BodyBytes = Uint8Array | readonly Uint8Array[];

export interface ClientRequest {
  readonly method: string;
  /** `http` or `https`, as the client reached gw. */
  readonly scheme: string;
  /** Host header without port. */
  readonly host: string;
  readonly port: number;
  /** Path exactly as received (still percent-encoded), without the query. */
  readonly rawPath: string;
  /** The path the router matched on (RFC 3986-normalized). */
  readonly path: string;
  /** The query string without `?`; empty when there is none. */
  readonly query: string;
  /**
   * Lower-case header names, as Node parsed them. Names with `_` are absent unless underscores in headers
   * are allowed (`--underscores-in-headers`, nginx's `underscores_in_headers`); then `x_api_key` is its
   * own header, distinct from `x-api-key`, as in nginx.
   */
  readonly headers: Readonly<HeaderMap>;
  readonly clientIp: string;
  /** Named (and numbered) captures of a regex route path. */
  readonly uriCaptures: Readonly<Record<string, string>>;
  /** Declared length (content-length), or undefined for a chunked body. */
  readonly contentLength: number | undefined;
  /**
   * Read the whole request body, up to `limit` bytes (GatewayError GW_ERR_BODY_TOO_LARGE above it).
   * Once read, gw sends these bytes upstream unless `UpstreamRequest.body` is replaced.
   */
  body(limit: number): Promise<Uint8Array>;
}

export interface UpstreamRequest {
  method: string;
  /** `http` or `https`. */
  scheme: string;
  host: string;
  port: number;
  /** Wire path, already percent-encoded as it must be sent. */
  path: string;
  /** Query without `?`; empty for none. */
  query: string;
  /** Lower-case names. Hop-by-hop headers were already removed. */
  headers: HeaderMap;
  /**
   * Replace the body with these bytes (content-length is set by gw). Undefined: the client body streams
   * through. A plugin reading it must accept both forms of BodyBytes.
   */
  body: BodyBytes | undefined;
  /**
   * Timeouts for this try in ms, each replacing the service's (`connect_timeout`, `write_timeout`,
   * `read_timeout`) when set: a plugin that chooses the upstream (a balancer) brings its own.
   */
  timeouts?: UpstreamTimeouts;
}

export interface UpstreamTimeouts {
  connect?: number;
  write?: number;
  read?: number;
}

/** Why an upstream try ended without a response head. */
export interface UpstreamTryFailure {
  /**
   * `connect`: the connection could not be opened (refused, unreachable, TLS); `proxy`: nor the way through
   * the outbound proxy; `timeout`: connect, write or read timeout (the head did not come in time); `error`:
   * the connection broke, or the upstream's answer could not be parsed; `aborted`: the client went away.
   */
  readonly kind: 'connect' | 'proxy' | 'timeout' | 'error' | 'aborted';
  /** The upstream can't have seen any of the request (safe to send it elsewhere whatever the method). */
  readonly beforeRequest: boolean;
  /** What happened, for a log: never request data. */
  readonly message: string;
}

/** One upstream try as `afterTry` sees it: a response head, or a failure. Nothing of it reached the client yet. */
export interface UpstreamTry {
  /** 0 for the first try of the request. */
  readonly number: number;
  /** The request as it was sent (host, port, path, …) on this try. */
  readonly upstream: Readonly<UpstreamRequest>;
  /** The upstream's status and headers (lower-case names), when it answered. */
  readonly response: { readonly status: number; readonly headers: Readonly<HeaderMap> } | undefined;
  /** Why the try failed, when it did not answer. */
  readonly failure: UpstreamTryFailure | undefined;
}

/**
 * What `afterTry` decides: `retry` drops this try and sends the request again (the `upstream` phase runs
 * again first); `stop` keeps it (its response goes on to the response phases, its failure becomes gw's
 * 502/504) and overrides gw's own retry rule; nothing leaves the decision to gw (a failure is retried by
 * `service.retries`; a response is never retried).
 */
export type TryDecision = 'retry' | 'stop' | undefined;

export interface ResponseHead {
  status: number;
  /** Lower-case names. */
  headers: HeaderMap;
  /** `upstream` when the upstream answered, `kong` when gw (or a plugin) produced the response. */
  readonly source: 'upstream' | 'kong';
}

export interface TryRecord {
  balancer_start: number;
  balancer_start_ns?: number;
  ip: string;
  port: number;
  balancer_latency: number;
  balancer_latency_ns?: number;
  state?: string;
  code?: number;
}

export interface RequestContext {
  /** Unique per request; also sent upstream and in the log record. */
  readonly id: string;
  /** ms since epoch. */
  readonly startedAt: number;
  readonly request: ClientRequest;
  readonly route: Readonly<RouteEntity>;
  readonly service: Readonly<ServiceEntity> | null;
  /** Set by an authentication plugin through `authenticate`. */
  readonly consumer: Readonly<ConsumerEntity> | null;
  /** The credential the consumer authenticated with (Kong's `kong.client.get_credential()`), when the auth plugin named one. */
  readonly credential: { readonly id: string } | null;
  /** The authenticated consumer's groups, by name (Kong's `kong.client.get_consumer_groups()`); empty without a consumer. */
  readonly consumerGroups: readonly Readonly<ConsumerGroupEntity>[];
  /** The format gw's own errors take on this request now: the route's (a plugin's `errorFormat`), or what `setErrorFormat` chose. */
  readonly errorFormat: ErrorFormat;
  /** Aborted when the client goes away or the request is otherwise cancelled. */
  readonly signal: AbortSignal;
  /** Identify the consumer (auth plugins). Consumer-scoped plugin configs apply from the next plugin on. */
  authenticate(consumer: ConsumerEntity, credentialId?: string): void;
  /** Look up a consumer by a key-auth credential. */
  findConsumerByKey(key: string): ConsumerEntity | undefined;
  /** The consumer and credential id a key-auth key belongs to (for `authenticate(consumer, credentialId)`). */
  findCredentialByKey(key: string): { consumer: ConsumerEntity; credentialId: string } | undefined;
  /** A consumer by id or username (e.g. a plugin's `anonymous` setting). */
  findConsumer(idOrUsername: string): ConsumerEntity | undefined;
  /** Kong's `kong.log.set_serialize_value`: dotted keys (`\.` escapes a dot) into the log record. */
  setSerializeValue(key: string, value: JsonValue | undefined, mode?: 'set' | 'add' | 'replace'): void;
  /** Render gateway errors for this request in the client's format (Kong's JSON by default). */
  setErrorFormat(format: ErrorFormat): void;
  /**
   * Redact this request header's value in the log record (in addition to the built-in list), in every
   * spelling: `x-api-key` also covers `x_api_key` (kept as its own header when underscores are allowed).
   */
  redactHeader(name: string): void;
  /** Monotonic clock in ms (performance.now based), for latency measurements. */
  now(): number;
  /** Put a value on a channel for the plugins that run after (a later publish replaces it). */
  publish<T>(channel: Channel<T>, value: T): void;
  /** What a plugin published on the channel for this request, if anything. */
  read<T>(channel: Channel<T>): T | undefined;
}
