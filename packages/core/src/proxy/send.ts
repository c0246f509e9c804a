/**
 * One upstream try over node:http(s) with Kong's three service timeouts:
 *  - connect_timeout: while a new connection (TLS included) is being opened (a pooled one is already up);
 *  - write_timeout: socket idle while the request (body) is being sent;
 *  - read_timeout: socket idle after the request was sent (waiting for the head, then between body bytes).
 * A streamed client body is only consumed once the connection is up, so a refused or timed-out
 * connection can be retried with the body intact.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { BodyBytes, UpstreamRequest } from '@gw/plugin-api';
import { forwardHead, ProxyFailure } from '@gw/proxy-env';
import type { AbortLike } from '../runtime/abort.js';
import type { Agents } from './agents.js';
import type { UpstreamTls } from '../config/model.js';

/** `proxy`: the way through the outbound proxy could not be opened; `proxy-refused`: the proxy answered CONNECT with an error. */
export type FailureKind = 'connect' | 'connect-timeout' | 'write-timeout' | 'read-timeout' | 'io' | 'aborted' | 'proxy' | 'proxy-refused';

/** Why a try failed. Never carries request data: it may be logged. */
export class UpstreamFailure extends Error {
  readonly kind: FailureKind;
  /** Failed before the upstream could have seen any of the request (safe to retry). */
  readonly beforeRequest: boolean;
  readonly detail: string | undefined;
  constructor(kind: FailureKind, beforeRequest: boolean, detail?: string) {
    super(detail === undefined ? `upstream ${kind}` : `upstream ${kind}: ${detail}`);
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.beforeRequest = beforeRequest;
    this.detail = detail;
  }
  get isTimeout(): boolean {
    return this.kind === 'connect-timeout' || this.kind === 'write-timeout' || this.kind === 'read-timeout';
  }
}

export interface SendOptions {
  agents: Agents;
  upstream: UpstreamRequest;
  /** Buffered bytes (one buffer or pieces), the client's body stream, or none. */
  body: BodyBytes | Readable | undefined;
  connectTimeout: number;
  writeTimeout: number;
  readTimeout: number;
  tlsVerify: boolean;
  /** The service's client certificate, CAs and verify depth, when it sets any. */
  tls?: UpstreamTls;
  /** The client went away: abandon the try. */
  signal: AbortLike;
  /** Called once when bytes of a streamed body start flowing (the try can't be repeated after that). */
  onStreamStart?(): void;
}

export interface SentRequest {
  response: http.IncomingMessage;
  request: http.ClientRequest;
  /** Remote address of the connection used. */
  ip: string;
  /** Why the exchange failed after the head arrived (read timeout, reset), once it did. */
  lateFailure: UpstreamFailure | undefined;
}

export function sendOnce(o: SendOptions): Promise<SentRequest> {
  return new Promise((resolve, reject) => startTry(o, (err, sent) => (err === undefined ? resolve(sent!) : reject(err))));
}

/** Called once: with the response once its head arrived, or with the UpstreamFailure of the try. */
export type TryCallback = (err: UpstreamFailure | undefined, sent: SentRequest | undefined) => void;

/** `sendOnce` without a promise: the no-plugin path stays synchronous from the client request to the pipe. */
export function startTry(o: SendOptions, done: TryCallback): void {
  const u = o.upstream;
  const isHttps = u.scheme === 'https';
  const buffered = bufferedLength(o.body);
  // Only with an outbound proxy configured: the tunnel (https) or the proxy to forward to (http).
  const viaProxy = o.agents.proxyRoute?.(isHttps, u.host, u.port, o.tls);
  const pathAndQuery = u.query.length > 0 ? `${u.path}?${u.query}` : u.path;
  const headers = isHttps || viaProxy !== undefined ? headerObject(u, buffered) : headerList(u, buffered, o.body !== undefined);
  const options: https.RequestOptions = {
    method: u.method,
    host: u.host,
    port: u.port,
    path: pathAndQuery,
    headers,
    agent: viaProxy?.agent ?? (isHttps ? o.agents.httpsFor(o.tls) : o.agents.http),
    setHost: false,
  };
  if (isHttps) {
    options.servername = isIp(u.host) ? undefined : u.host;
    options.rejectUnauthorized = o.tlsVerify;
  }
  if (viaProxy !== undefined) {
    // Bounds opening the way through the proxy (the agent reads it); the connect timer below covers it too.
    options.timeout = o.connectTimeout;
    if (viaProxy.forward !== undefined) {
      const head = forwardHead(viaProxy.forward, u.host, u.port, pathAndQuery);
      options.path = head.path;
      if (head.authorization !== undefined) (headers as http.OutgoingHttpHeaders)['proxy-authorization'] = head.authorization;
    }
  }

  // The closures below outlive the try for as long as the response streams (they hang on the request):
  // they capture these fields, never `o` or `u`, so a long stream doesn't keep the request body alive.
  const { signal, connectTimeout, writeTimeout, readTimeout, onStreamStart } = o;
  const host = u.host;
  const proxied = viaProxy !== undefined;
  let body = o.body;
  let connected = false;
  let responded = false;
  let settled = false;
  let sent: SentRequest | undefined;
  let connectTimer: NodeJS.Timeout | undefined;

  const req = (isHttps ? https : http).request(options);
  const fail = (f: UpstreamFailure) => {
    if (!req.destroyed) req.destroy(f);
  };
  // Through a proxy the socket arrives once the tunnel (and the origin's TLS) is up: time all of it.
  if (proxied) connectTimer = setTimeout(() => fail(new UpstreamFailure('connect-timeout', true)), connectTimeout);
  // Once the exchange is complete Node marks the request destroyed, so a late abort is a no-op.
  const onAbort = () => fail(new UpstreamFailure('aborted', !connected));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  req.on('error', (err) => {
    clearTimeout(connectTimer);
    signal.removeEventListener('abort', onAbort);
    const code = systemCode(err);
    // A kept-alive socket the upstream had already closed: it never saw this request (Node's advice).
    const stale = connected && req.reusedSocket && !responded && code === 'ECONNRESET';
    const f =
      err instanceof UpstreamFailure
        ? err
        : err instanceof ProxyFailure
          ? proxyFailure(err)
          : new UpstreamFailure(connected ? 'io' : 'connect', !connected || stale, code);
    if (!settled) {
      settled = true;
      done(f, undefined);
    } else if (sent !== undefined) {
      sent.lateFailure ??= f;
    }
  });
  req.on('timeout', () => fail(new UpstreamFailure(responded || req.writableFinished ? 'read-timeout' : 'write-timeout', false)));
  // One idle timer serves both phases when they are equal (the default): no re-arming per request.
  if (readTimeout !== writeTimeout) req.once('finish', () => req.setTimeout(readTimeout));
  // `on`, not `once`: each fires once per request anyway, and `once` wraps and unhooks the listener.
  req.on('response', (res) => {
    responded = true;
    if (settled) return;
    settled = true;
    // Through a proxy the socket's peer is the proxy; the upstream's address is the proxy's business.
    sent = { response: res, request: req, ip: proxied ? host : (req.socket?.remoteAddress ?? host), lateFailure: undefined };
    done(undefined, sent);
  });

  req.on('socket', (socket: Socket) => {
    const ready = () => {
      if (connected) return;
      connected = true;
      clearTimeout(connectTimer);
      if (req.destroyed) return;
      req.setTimeout(writeTimeout);
      writeBody(req, body, onStreamStart);
      body = undefined; // a retry is a new try with its own body (forward.ts)
    };
    // A reused keep-alive socket is already connected (and its TLS established): no connect timer.
    if (socket.connecting) {
      connectTimer = setTimeout(() => fail(new UpstreamFailure('connect-timeout', true)), connectTimeout);
      socket.once(isHttps ? 'secureConnect' : 'connect', ready);
    } else ready();
  });
}

/** A proxy that did not answer in time is a connect timeout (504, as nginx's); other proxy failures say what the proxy did. */
function proxyFailure(err: ProxyFailure): UpstreamFailure {
  if (err.reason === 'timeout') return new UpstreamFailure('connect-timeout', true, err.detail);
  return new UpstreamFailure(err.reason === 'refused' ? 'proxy-refused' : 'proxy', true, err.detail);
}

// Methods for which Node frames a bodiless request without a Content-Length (see headerList).
const NO_BODY_BY_DEFAULT = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** For https: the map (Node takes the SNI name from its Host); copied only when a header must be added, so a retry starts from the original. */
function headerObject(u: UpstreamRequest, buffered: number | undefined): http.OutgoingHttpHeaders {
  // A plugin may leave `undefined` to mean "no such header"; Node would throw on it.
  const headers: http.OutgoingHttpHeaders = {};
  for (const name of Object.keys(u.headers)) {
    const value = u.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  if (buffered !== undefined) headers['content-length'] = String(buffered);
  return headers;
}

/**
 * The head as a flat [name, value, …] list: Node writes it at once (validating every name and value)
 * instead of a `setHeader` per header. Node then frames the body at construction, not at `end()`, so
 * the Content-Length it would derive there is set here: the buffered body's length, or 0 for a
 * bodiless request whose method Node would otherwise send chunked.
 */
function headerList(u: UpstreamRequest, buffered: number | undefined, hasBody: boolean): string[] {
  const list: Array<string | string[]> = [];
  let length = false;
  const headers = u.headers;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (name === 'content-length') {
      length = true;
      if (buffered !== undefined) continue;
    }
    list.push(name, value);
  }
  if (buffered !== undefined) list.push('content-length', String(buffered));
  else if (!hasBody && !length && !NO_BODY_BY_DEFAULT.has(u.method.toUpperCase())) list.push('content-length', '0');
  // A multi-valued entry stays an array: Node writes one line per value (cookies joined), as for a map.
  return list as string[];
}

// Array.isArray doesn't narrow a readonly array type.
const isPieces = (body: SendOptions['body']): body is readonly Uint8Array[] => Array.isArray(body);

/** The byte length of a buffered body; undefined for a stream or no body. */
function bufferedLength(body: SendOptions['body']): number | undefined {
  if (body instanceof Uint8Array) return body.byteLength;
  if (!isPieces(body)) return undefined;
  let length = 0;
  for (const piece of body) length += piece.byteLength;
  return length;
}

function writeBody(req: http.ClientRequest, body: SendOptions['body'], onStreamStart: (() => void) | undefined): void {
  if (body === undefined) {
    req.end();
  } else if (body instanceof Uint8Array) {
    req.end(body);
  } else if (isPieces(body)) {
    // Corked: the pieces leave in one writev with the head, as one joined buffer would.
    req.cork();
    for (const piece of body) if (piece.byteLength > 0) req.write(piece);
    req.end();
  } else {
    onStreamStart?.();
    body.pipe(req);
  }
}

function systemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
