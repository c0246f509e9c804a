/**
 * One request through the gateway (docs/architecture.md, "Request pipeline"): route, access, upstream
 * (with retries), response phases, and the log phase once the response is finished or the client left.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, type HeaderMap, type Logger, type UpstreamRequest } from '@gw/plugin-api';
import type { Agents } from '../proxy/agents.js';
import { forwardWith } from '../proxy/forward.js';
import { hostHeader, setForwardingHeaders, withoutHopByHop } from '../proxy/headers.js';
import { splitHostHeader, type MatchInput, type RouteMatch, type Router } from '../router/index.js';
import type { UpstreamTls } from '../config/model.js';
import type { ConsumerIndex } from '../runtime/consumer-index.js';
import { now, type Exchange } from '../runtime/exchange.js';
import { describe, type PluginPlan } from '../runtime/plan.js';
import { phasesOf, runAccess, runAfterTry, runLog, runUpstream } from '../runtime/phases.js';
import { sendError, sendWebResponse } from './respond.js';
import { markCut } from './response-cut.js';
import { sendUpstream } from './upstream-response.js';
import { sendHttpsRequired } from './https-required.js';
import type { HeaderPolicy } from '../proxy/header-policy.js';
import { VIA } from './version.js';
import { logInput } from './log-input.js';
import { sniOf, startExchange } from './start-exchange.js';
import { checkRequestHead } from './request-head.js';
import type { ClientTimeouts } from './client-timeouts.js';

/** Everything a request needs from one config load; swapped atomically on reload. */
export interface Runtime {
  router: Router;
  plan: PluginPlan;
  consumers: ConsumerIndex;
  inFlight: number;
  /** configuration_hash of the config this runtime serves (status API). */
  hash: string;
  /** When this runtime's config was loaded (ms since epoch). */
  loadedAt: number;
  /** Upstream TLS settings by service id (GatewayConfig.upstreamTls). */
  upstreamTls: ReadonlyMap<string, UpstreamTls>;
}

export interface PipelineDeps {
  agents: Agents;
  logger: Logger;
  /** Called when a request of `runtime` is completely done (log phase included). */
  done(runtime: Runtime): void;
  /** The gateway is draining: ask clients not to reuse connections. */
  closing(): boolean;
  /** The drain time ran out and gw is closing the connections still open: their responses are cut by gw, not the client. */
  forcedClose(): boolean;
  /** Which of gw's own headers to add (Kong's `headers`, `headers_upstream`). */
  headerPolicy: Readonly<HeaderPolicy>;
  /** client_body_timeout and client_header_timeout. */
  clientTimeouts: ClientTimeouts;
  /** nginx's underscores_in_headers: keep request headers whose names contain `_` (dropped when false). */
  underscoresInHeaders: boolean;
}

/**
 * Synchronous from the client request to the upstream pipe when no plugin runs: the steps chain by
 * callbacks, and a promise is only awaited where a plugin phase returns one. The log phase (and the
 * runtime's `done`) runs once both the pipeline's own work and the response (finished or gone) are over.
 */
export function handleRequest(runtime: Runtime, deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): void {
  runtime.inFlight++;
  let ex: Exchange;
  try {
    ex = startExchange(runtime, req, res, deps.headerPolicy);
  } catch (err) {
    deps.logger.error(`request ?: ${describe(err)}`);
    if (!res.headersSent) res.destroy();
    runtime.inFlight--;
    deps.done(runtime);
    return;
  }
  if (deps.closing()) res.shouldKeepAlive = false;
  deps.clientTimeouts.started(ex, (ex.client.contentLength ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined);
  let waiting = 2;
  const settled = () => {
    if (--waiting === 0) complete(runtime, deps, ex);
  };
  onResponseClosed(ex, deps, settled);
  let reported = false;
  const done = (err?: unknown) => {
    if (reported) return;
    reported = true;
    if (err !== undefined) failed(deps, ex, err);
    settled();
  };
  try {
    proxy(runtime, deps, ex, done);
  } catch (err) {
    // A step that threw before handing over to a callback (a failed route match, a bad header).
    if (reported) deps.logger.error(`request ${ex.id}: ${describe(err)}`);
    else done(err);
  }
}

/** The pipeline failed: gw's error response, unless the client is gone or the response already cut. */
function failed(deps: PipelineDeps, ex: Exchange, err: unknown): void {
  if (ex.clientAborted || ex.responseBroken) return;
  // Whatever broke when the stalled body was given up on (its read, the upstream call), the cause is the client.
  if (ex.bodyTimedOut) err = new GatewayError('GW_ERR_REQUEST_TIMEOUT');
  try {
    if (!GatewayError.is(err)) deps.logger.error(`request ${ex.id}: ${describe(err)}`);
    sendError(ex, GatewayError.is(err) ? err : new GatewayError('GW_ERR_INTERNAL'));
  } catch (e) {
    deps.logger.error(`request ${ex.id}: ${describe(e)}`);
    if (!ex.res.headersSent) ex.res.destroy();
  }
}

/** Both the pipeline and the response are done: the log phase (when a plugin logs), then `done`. */
function complete(runtime: Runtime, deps: PipelineDeps, ex: Exchange): void {
  deps.clientTimeouts.finished(ex);
  const finish = () => {
    runtime.inFlight--;
    deps.done(runtime);
  };
  // No log plugin: no record to build.
  if (phasesOf(ex.plugins).log.length === 0) return finish();
  ex.timing.end = now();
  let logged: Promise<void>;
  try {
    logged = runLog(ex, logInput(ex), deps.logger);
  } catch (err) {
    logged = Promise.reject(err);
  }
  logged.catch((err: unknown) => deps.logger.error(`request ${ex.id}: ${describe(err)}`)).finally(finish);
}

/**
 * Calls `then` once the response is finished or the connection is gone (Node emits `close` on the
 * response in both cases, after `finish`); marks client aborts, and connections gw closed at shutdown.
 */
function onResponseClosed(ex: Exchange, deps: PipelineDeps, then: () => void): void {
  const { res } = ex;
  res.on('close', () => {
    if (!res.writableFinished) {
      if (!ex.responseBroken) {
        if (deps.forcedClose()) {
          markCut(ex, 'gateway', 'shutdown');
          ex.responseBroken = true;
        } else {
          ex.clientAborted = true;
          markCut(ex, 'client', 'disconnected');
        }
      }
      ex.abort.abort();
    }
    const socket = ex.socket;
    if (socket !== null && ex.socketBytesAtStart >= 0) ex.responseSize = socket.bytesWritten - ex.socketBytesAtStart;
    then();
  });
}

type Done = (err?: unknown) => void;

function proxy(runtime: Runtime, deps: PipelineDeps, ex: Exchange, done: Done): void {
  const { req, client } = ex;
  const refused = checkRequestHead(req, deps.underscoresInHeaders);
  if (refused !== undefined) {
    // As nginx: a head it refuses ends the connection too.
    ex.res.shouldKeepAlive = false;
    sendError(ex, refused);
    return done();
  }
  const input: MatchInput = {
    method: client.method,
    host: client.host,
    // Kong routes on the Host header's port when it has one; X-Forwarded-Port and the log keep the
    // connection's (client.port).
    port: splitHostHeader(req.headers.host, client.port).port,
    path: client.path,
    // Each header line on its own (two `location:` lines match if either does), built only when a
    // candidate route has header conditions. (A getter here made every request's garbage outlive a
    // scavenge: 4x the GC time on the plain route.)
    headers: () => req.headersDistinct,
    scheme: client.scheme === 'https' ? 'https' : 'http',
    // The name the client asked for in its TLS handshake (routes with `snis`).
    sni: client.scheme === 'https' ? sniOf(req) : undefined,
  };
  const match = runtime.router.match(input);
  if (match === null) {
    // Kong: a route that matches but for its protocol (https only, asked over http) says so.
    const secure = client.scheme === 'http' ? runtime.router.match({ ...input, scheme: 'https', sni: undefined }) : null;
    if (secure !== null) sendHttpsRequired(ex, secure.route.https_redirect_status_code);
    else sendError(ex, new GatewayError('GW_ERR_NO_ROUTE'));
    return done();
  }
  ex.route = match.route;
  ex.service = match.service;
  ex.uriCaptures = match.uriCaptures;
  ex.plugins = runtime.plan.forRequest(match.route.id, match.service?.id ?? null, null);
  // Errors before any plugin runs (key-auth's 401 on an ai-proxy route) already speak the client's format.
  ex.errorFormat = phasesOf(ex.plugins).errorFormat;

  const tls = match.service === null ? undefined : runtime.upstreamTls.get(match.service.id);
  if (!phasesOf(ex.plugins).access) return toUpstream(deps, ex, match, tls, done);
  runAccess(ex, runtime.plan, deps.logger).then((answer) => {
    if (ex.clientAborted) return done();
    if (answer !== undefined) return void sendWebResponse(ex, answer).then(() => done(), done);
    try {
      toUpstream(deps, ex, match, tls, done);
    } catch (err) {
      done(err);
    }
  }, done);
}

function toUpstream(deps: PipelineDeps, ex: Exchange, match: RouteMatch, tls: UpstreamTls | undefined, done: Done): void {
  const { req, client } = ex;
  // After access: `authenticate` may have switched to a consumer's plugin list.
  const phases = phasesOf(ex.plugins);
  const upstreamPhase = phases.upstream;

  const service = ex.service;
  const baseHeaders = withoutHopByHop(req.headers);
  delete baseHeaders.expect;
  setForwardingHeaders(baseHeaders, {
    clientIp: client.clientIp,
    scheme: client.scheme,
    host: client.host,
    port: client.port,
    path: client.rawPath,
    requestId: ex.headerPolicy.upstreamRequestId ? ex.id : undefined,
    via: ex.headerPolicy.via ? VIA : undefined,
  });
  const scheme = service?.protocol === 'https' ? 'https' : 'http';
  const defaultHost = service === null ? '' : hostHeader(service.host, service.port, scheme);
  if (!match.route.preserve_host || baseHeaders.host === undefined) baseHeaders.host = defaultHost;
  const hasBody = (client.contentLength ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  // `GET /request?`: Kong sends the bare `?` on (`/request?`), which nginx alone would drop; kept
  // unless a plugin chose its own path or query.
  const bareQuery = client.query === '' && (req.url ?? '').includes('?');
  const checked = (upstream: UpstreamRequest): UpstreamRequest => {
    if (upstream.host.length === 0) throw new GatewayError('GW_ERR_NO_SERVICE');
    if (bareQuery && upstream.query === '' && upstream.path === match.upstreamPath) upstream.path += '?';
    // A plugin moved the request elsewhere without choosing a Host: follow the target.
    if (upstreamPhase && upstream.headers.host === baseHeaders.host && !match.route.preserve_host) {
      upstream.headers.host = hostHeader(upstream.host, upstream.port, upstream.scheme);
    }
    ex.upstream = upstream;
    return upstream;
  };

  forwardWith({
    agents: deps.agents,
    retries: service?.retries ?? 5,
    connectTimeout: service?.connect_timeout ?? 60_000,
    writeTimeout: service?.write_timeout ?? 60_000,
    readTimeout: service?.read_timeout ?? 60_000,
    tlsVerify: service?.tls_verify !== false,
    tls,
    signal: ex.abort,
    prepare() {
      const upstream: UpstreamRequest = {
        method: client.method,
        scheme,
        host: service?.host ?? '',
        port: service?.port ?? (scheme === 'https' ? 443 : 80),
        path: match.upstreamPath,
        query: client.query,
        // Plugins edit their own copy (a retry starts from the original); without them nobody writes to it.
        headers: upstreamPhase ? ({ ...baseHeaders } as HeaderMap) : baseHeaders,
        body: undefined,
      };
      if (!upstreamPhase) return checked(upstream);
      return runUpstream(ex, upstream, deps.logger).then(() => checked(upstream));
    },
    bodyFor(upstream) {
      if (upstream.body !== undefined) return upstream.body;
      if (ex.bodyBytes !== undefined) return ex.bodyBytes;
      return hasBody ? req : undefined;
    },
    onStreamStart() {
      ex.bodyStreamed = true;
      // The byte count is only for the log record.
      if (phasesOf(ex.plugins).log.length > 0) req.on('data', (chunk: Buffer) => (ex.requestBodyBytes += chunk.length));
    },
    onTry(_upstream, record) {
      ex.timing.upstreamStart = now();
      ex.tries.push(record);
    },
    afterTry: phases.afterTry.length === 0 ? undefined : (attempt) => runAfterTry(ex, attempt, deps.logger),
  }, (err, sent) => {
    if (err !== undefined) return done(err);
    releaseRequestBody(ex);
    if (ex.clientAborted || ex.responseBroken) {
      sent!.response.destroy();
      return done();
    }
    let sending: Promise<void> | undefined;
    try {
      sending = sendUpstream(ex, sent!, deps.logger);
    } catch (e) {
      return done(e);
    }
    if (sending === undefined) done();
    else sending.then(() => done(), done);
  });
}

/**
 * The upstream answered, so no retry will send the request body again: drop gw's copies so a long
 * stream doesn't pin a Claude-Code-sized body (100 KB+) for minutes. A later `ctx.request.body()` throws.
 */
function releaseRequestBody(ex: Exchange): void {
  if (ex.bodyBytes === undefined && ex.upstream?.body === undefined) return;
  ex.bodyBytes = undefined;
  ex.pendingBody = undefined;
  ex.bodyStreamed = true;
  if (ex.upstream !== undefined) ex.upstream.body = undefined;
}

/**
 * client_body_timeout fired (client-timeouts.ts): give up on the body. Whatever waits on it (a plugin's
 * body read, the upstream call streaming it) fails through the abort hook, and `failed` answers 408.
 */
export function bodyTimedOut(ex: Exchange): void {
  ex.bodyTimedOut = true;
  ex.abort.abort();
}
