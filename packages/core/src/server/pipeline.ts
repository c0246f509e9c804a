/**
 * One request through the gateway (docs/architecture.md, "Request pipeline"): route, access, upstream
 * (with retries), response phases, and the log phase once the response is finished or the client left.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, type Logger } from '@gw/plugin-api';
import type { Agents } from '../proxy/agents.js';
import { splitHostHeader, type MatchInput, type Router } from '../router/index.js';
import type { UpstreamTls } from '../config/model.js';
import type { ConsumerIndex } from '../runtime/consumer-index.js';
import { now, type Exchange } from '../runtime/exchange.js';
import { describe, type PluginPlan } from '../runtime/plan.js';
import { phasesOf, runAccess, runLog } from '../runtime/phases.js';
import { sendError, sendWebResponse } from './respond.js';
import { markCut } from './response-cut.js';
import { sendHttpsRequired } from './https-required.js';
import type { HeaderPolicy } from '../proxy/header-policy.js';
import { logInput } from './log-input.js';
import { sniOf, startExchange } from './start-exchange.js';
import { checkRequestHead } from './request-head.js';
import type { ClientTimeouts } from './client-timeouts.js';
import { toUpstream } from './to-upstream.js';

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

export type Done = (err?: unknown) => void;

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

/**
 * client_body_timeout fired (client-timeouts.ts): give up on the body. Whatever waits on it (a plugin's
 * body read, the upstream call streaming it) fails through the abort hook, and `failed` answers 408.
 */
export function bodyTimedOut(ex: Exchange): void {
  ex.bodyTimedOut = true;
  ex.abort.abort();
}
