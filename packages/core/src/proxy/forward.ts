/**
 * The upstream call with Kong's retry rule: up to `service.retries` more tries when the connection
 * failed before the upstream could have seen the request. The upstream phase re-runs before every try,
 * so each try starts from a fresh request (a signer signs again). Like nginx's default
 * `proxy_next_upstream error timeout` without `non_idempotent`, a connection broken before the response
 * head is retried for idempotent methods, and for any method when the upstream can't have seen the request. The failure of the last try becomes
 * 502 GW_ERR_UPSTREAM_UNAVAILABLE or 504 GW_ERR_UPSTREAM_TIMEOUT.
 */
import type { Readable } from 'node:stream';
import { GatewayError, type TryRecord, type UpstreamRequest } from '@gw/plugin-api';
import type { AbortLike } from '../runtime/abort.js';
import type { Agents } from './agents.js';
import { sendOnce, UpstreamFailure, type SentRequest } from './send.js';

export interface ForwardOptions {
  agents: Agents;
  retries: number;
  connectTimeout: number;
  writeTimeout: number;
  readTimeout: number;
  tlsVerify: boolean;
  signal: AbortLike;
  /** Builds the request of one try (runs the upstream phase); synchronous when no plugin has one. */
  prepare(): UpstreamRequest | Promise<UpstreamRequest>;
  /** The body of a try: the upstream request's replacement bytes, the bytes read by a plugin, or the client stream. */
  bodyFor(upstream: UpstreamRequest): Uint8Array | Readable | undefined;
  /** The client stream started flowing upstream; a failed try can't be repeated any more. */
  onStreamStart(): void;
  /** Called as a try starts (the log record's `tries`, latencies). */
  onTry(upstream: UpstreamRequest, record: TryRecord): void;
}

export async function forward(o: ForwardOptions): Promise<SentRequest & { upstream: UpstreamRequest }> {
  let streamed = false;
  for (let attempt = 0; ; attempt++) {
    const prepared = o.prepare();
    const upstream = prepared instanceof Promise ? await prepared : prepared;
    const record: TryRecord = { balancer_start: Date.now(), ip: upstream.host, port: upstream.port, balancer_latency: 0 };
    o.onTry(upstream, record);
    try {
      const sent = await sendOnce({
        agents: o.agents,
        upstream,
        body: o.bodyFor(upstream),
        connectTimeout: o.connectTimeout,
        writeTimeout: o.writeTimeout,
        readTimeout: o.readTimeout,
        tlsVerify: o.tlsVerify,
        signal: o.signal,
        onStreamStart() {
          streamed = true;
          o.onStreamStart();
        },
      });
      record.ip = sent.ip;
      // The same object, not a copy: a late failure recorded on it later must stay visible.
      return Object.assign(sent, { upstream });
    } catch (err) {
      if (!(err instanceof UpstreamFailure)) throw err;
      record.state = 'failed';
      record.code = err.isTimeout ? 504 : 502;
      if (!retryable(err, upstream.method, streamed) || attempt >= o.retries) throw toGatewayError(err);
    }
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function retryable(f: UpstreamFailure, method: string, streamed: boolean): boolean {
  if (streamed) return false; // part of the client body is gone
  if (f.kind === 'connect' || f.kind === 'connect-timeout') return true;
  return f.kind === 'io' && (f.beforeRequest || IDEMPOTENT.has(method.toUpperCase()));
}

export function toGatewayError(f: UpstreamFailure): GatewayError {
  return f.isTimeout
    ? new GatewayError('GW_ERR_UPSTREAM_TIMEOUT', { cause: f })
    : new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE', { cause: f });
}
