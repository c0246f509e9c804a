/**
 * The upstream call with Kong's retry rule: up to `service.retries` more tries when the connection
 * failed before the upstream could have seen the request. The upstream phase re-runs before every try,
 * so each try starts from a fresh request (a signer signs again). Plugins with an `afterTry` hook see
 * every try (its response head or its failure) and may ask for another or stop gw's own retries; a
 * response they retry past is destroyed unread. Like nginx's default
 * `proxy_next_upstream error timeout` without `non_idempotent`, a connection broken before the response
 * head is retried for idempotent methods, and for any method when the upstream can't have seen the request. The failure of the last try becomes
 * 502 GW_ERR_UPSTREAM_UNAVAILABLE or 504 GW_ERR_UPSTREAM_TIMEOUT (502 GW_ERR_UPSTREAM_PROXY_FAILED when the
 * outbound proxy was the obstacle).
 */
import type { Readable } from 'node:stream';
import { GatewayError, type BodyBytes, type TryDecision, type TryRecord, type UpstreamRequest, type UpstreamTry, type UpstreamTryFailure } from '@gw/plugin-api';
import type { AbortLike } from '../runtime/abort.js';
import type { Agents } from './agents.js';
import type { UpstreamTls } from '../config/model.js';
import { startTry, UpstreamFailure, type SendOptions, type SentRequest } from './send.js';

export interface ForwardOptions {
  agents: Agents;
  retries: number;
  connectTimeout: number;
  writeTimeout: number;
  readTimeout: number;
  tlsVerify: boolean;
  /** The service's upstream TLS setting (client certificate, CAs, verify depth), if any. */
  tls?: UpstreamTls;
  signal: AbortLike;
  /** Builds the request of one try (runs the upstream phase); synchronous when no plugin has one. */
  prepare(): UpstreamRequest | Promise<UpstreamRequest>;
  /** The body of a try: the upstream request's replacement bytes, the bytes read by a plugin, or the client stream. */
  bodyFor(upstream: UpstreamRequest): BodyBytes | Readable | undefined;
  /** The client stream started flowing upstream; a failed try can't be repeated any more. */
  onStreamStart(): void;
  /** Called as a try starts (the log record's `tries`, latencies). */
  onTry(upstream: UpstreamRequest, record: TryRecord): void;
  /** The plugins' `afterTry` hooks; undefined when no plugin has one (then no try is shown to anyone). */
  afterTry?(attempt: UpstreamTry): TryDecision | Promise<TryDecision>;
}

export type Forwarded = SentRequest & { upstream: UpstreamRequest };

export function forward(o: ForwardOptions): Promise<Forwarded> {
  return new Promise((resolve, reject) => forwardWith(o, (err, sent) => (err === undefined ? resolve(sent!) : reject(err))));
}

/**
 * `forward` without promises: when `prepare` is synchronous (no upstream plugin) nothing waits on a
 * microtask between the client request and the upstream response. `done` is called once, with the
 * response or with the error (a GatewayError for the last failed try, anything else as thrown).
 */
export function forwardWith(o: ForwardOptions, done: (err: unknown, sent: Forwarded | undefined) => void): void {
  let streamed = false;
  const onStreamStart = () => {
    streamed = true;
    o.onStreamStart();
  };
  const attempt = (n: number): void => {
    let prepared: UpstreamRequest | Promise<UpstreamRequest>;
    try {
      prepared = o.prepare();
    } catch (err) {
      done(err, undefined);
      return;
    }
    if (prepared instanceof Promise) prepared.then((upstream) => send(n, upstream), (err: unknown) => done(err, undefined));
    else send(n, prepared);
  };
  const send = (n: number, upstream: UpstreamRequest): void => {
    const record: TryRecord = { balancer_start: Date.now(), ip: upstream.host, port: upstream.port, balancer_latency: 0 };
    let options: SendOptions;
    try {
      o.onTry(upstream, record);
      const timeouts = upstream.timeouts;
      options = {
        agents: o.agents,
        upstream,
        body: o.bodyFor(upstream),
        connectTimeout: timeouts?.connect ?? o.connectTimeout,
        writeTimeout: timeouts?.write ?? o.writeTimeout,
        readTimeout: timeouts?.read ?? o.readTimeout,
        tlsVerify: o.tlsVerify,
        tls: o.tls,
        signal: o.signal,
        onStreamStart,
      };
    } catch (err) {
      done(err, undefined);
      return;
    }
    let started = false;
    try {
      startTry(options, (err, sent) => {
        started = true;
        if (err === undefined) {
          record.ip = sent!.ip;
          // The same object, not a copy: a late failure recorded on it later must stay visible.
          const forwarded = Object.assign(sent!, { upstream });
          if (o.afterTry === undefined) done(undefined, forwarded);
          else answered(n, forwarded, record);
          return;
        }
        record.state = 'failed';
        record.code = err.isTimeout ? 504 : 502;
        if (o.afterTry === undefined) gwRule(n, err, upstream);
        else failedTry(n, err, upstream);
      });
    } catch (err) {
      // Thrown by Node while building the request (an invalid header a plugin set): not a retryable failure.
      if (!started) done(err, undefined);
      else throw err;
    }
  };
  /** gw's own rule for a failed try: service.retries, for failures the upstream can't have acted on. */
  const gwRule = (n: number, err: UpstreamFailure, upstream: UpstreamRequest): void => {
    if (!retryable(err, upstream.method, streamed) || n >= o.retries) done(toGatewayError(err), undefined);
    else attempt(n + 1);
  };
  // A retry needs the body again: not once part of a streamed client body went, nor for a client that left.
  const canRetry = () => !streamed && !o.signal.aborted;
  const answered = (n: number, sent: Forwarded, record: TryRecord): void => {
    const response = sent.response;
    const status = response.statusCode ?? 502;
    decide({ number: n, upstream: sent.upstream, response: { status, headers: response.headers }, failure: undefined }, (decision) => {
      if (decision !== 'retry' || !canRetry()) return done(undefined, sent);
      // nginx's proxy_next_upstream on a status: the try is recorded as `next` with its code.
      record.state = 'next';
      record.code = status;
      response.destroy();
      attempt(n + 1);
    }, () => response.destroy());
  };
  const failedTry = (n: number, err: UpstreamFailure, upstream: UpstreamRequest): void => {
    decide({ number: n, upstream, response: undefined, failure: tryFailure(err) }, (decision) => {
      if (decision === 'retry' && canRetry()) attempt(n + 1);
      else if (decision === undefined) gwRule(n, err, upstream);
      else done(toGatewayError(err), undefined);
    });
  };
  /** Runs the hooks; `then` gets their decision, or the request fails with the hook's error (after `cleanup`). */
  const decide = (seen: UpstreamTry, then: (decision: TryDecision) => void, cleanup?: () => void): void => {
    const fail = (err: unknown) => {
      cleanup?.();
      done(err, undefined);
    };
    let decision: TryDecision | Promise<TryDecision>;
    try {
      decision = o.afterTry!(seen);
    } catch (err) {
      return fail(err);
    }
    if (decision instanceof Promise) decision.then(then, fail);
    else then(decision);
  };
  attempt(0);
}

/** A failure as plugins see it: what kind, and whether the upstream can have seen the request. */
function tryFailure(f: UpstreamFailure): UpstreamTryFailure {
  const kind = f.kind === 'aborted' ? 'aborted'
    : f.isTimeout ? 'timeout'
      : f.kind === 'connect' ? 'connect'
        : f.kind === 'proxy' || f.kind === 'proxy-refused' ? 'proxy'
          : 'error';
  return { kind, beforeRequest: f.beforeRequest, message: f.message };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function retryable(f: UpstreamFailure, method: string, streamed: boolean): boolean {
  if (streamed) return false; // part of the client body is gone
  if (f.kind === 'connect' || f.kind === 'connect-timeout' || f.kind === 'proxy') return true;
  // Not proxy-refused: a proxy that answered CONNECT with an error (407, 403) answers the same again.
  return f.kind === 'io' && (f.beforeRequest || IDEMPOTENT.has(method.toUpperCase()));
}

export function toGatewayError(f: UpstreamFailure): GatewayError {
  if (f.kind === 'proxy' || f.kind === 'proxy-refused') return new GatewayError('GW_ERR_UPSTREAM_PROXY_FAILED', { params: { detail: f.detail ?? 'unknown' }, cause: f });
  return f.isTimeout
    ? new GatewayError('GW_ERR_UPSTREAM_TIMEOUT', { cause: f })
    : new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE', { cause: f });
}
