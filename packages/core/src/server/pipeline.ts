/**
 * One request through the gateway (docs/architecture.md, "Request pipeline"): route, access, upstream
 * (with retries), response phases, and the log phase once the response is finished or the client left.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, type HeaderMap, type Logger, type UpstreamRequest } from '@gw/plugin-api';
import type { LogInput } from '../log/record.js';
import type { Agents } from '../proxy/agents.js';
import { forward } from '../proxy/forward.js';
import { hostHeader, setForwardingHeaders, withoutHopByHop } from '../proxy/headers.js';
import { normalizePath, type Router } from '../router/index.js';
import { createExchange, now, type ConsumerIndex, type Exchange } from '../runtime/exchange.js';
import { describe, type PluginPlan } from '../runtime/plan.js';
import { phasesOf, runAccess, runLog, runUpstream } from '../runtime/phases.js';
import { sendError, sendUpstream, sendWebResponse } from './respond.js';
import { VIA } from './version.js';

/** Everything a request needs from one config load; swapped atomically on reload. */
export interface Runtime {
  router: Router;
  plan: PluginPlan;
  consumers: ConsumerIndex;
  inFlight: number;
}

export interface PipelineDeps {
  agents: Agents;
  logger: Logger;
  /** Called when a request of `runtime` is completely done (log phase included). */
  done(runtime: Runtime): void;
  /** The gateway is draining: ask clients not to reuse connections. */
  closing(): boolean;
}

export async function handleRequest(runtime: Runtime, deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  runtime.inFlight++;
  let ex: Exchange | undefined;
  try {
    ex = startExchange(runtime, req, res);
    const finished = responseFinished(ex);
    if (deps.closing()) res.shouldKeepAlive = false;
    try {
      await proxy(runtime, deps, ex);
    } catch (err) {
      if (!ex.clientAborted) {
        if (!GatewayError.is(err)) deps.logger.error(`request ${ex.id}: ${describe(err)}`);
        sendError(ex, GatewayError.is(err) ? err : new GatewayError('GW_ERR_INTERNAL'));
      }
    }
    await finished;
    // No log plugin: no record to build.
    if (phasesOf(ex.plugins).log.length > 0) {
      ex.timing.end = now();
      await runLog(ex, logInput(ex), deps.logger);
    }
  } catch (err) {
    deps.logger.error(`request ${ex?.id ?? '?'}: ${describe(err)}`);
    if (!res.headersSent) res.destroy();
  } finally {
    runtime.inFlight--;
    deps.done(runtime);
  }
}

function startExchange(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Exchange {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const listenerPort = req.socket.localPort ?? 0;
  const { host, port } = splitHost(req.headers.host, listenerPort);
  let path: string;
  try {
    path = normalizePath(rawPath);
  } catch {
    path = rawPath;
  }
  return createExchange({
    req,
    res,
    scheme: 'http',
    host,
    port,
    rawPath,
    path,
    query: q === -1 ? '' : url.slice(q + 1),
    consumers: runtime.consumers,
  });
}

/** Resolves once the response is finished or the connection is gone; marks client aborts. */
function responseFinished(ex: Exchange): Promise<void> {
  const { res } = ex;
  return new Promise((resolve) => {
    const socket = ex.socket;
    const settle = () => {
      res.off('finish', settle);
      res.off('close', settle);
      if (!res.writableFinished) {
        if (!ex.responseBroken) ex.clientAborted = true;
        ex.abort.abort();
      }
      if (socket !== null) ex.responseSize = socket.bytesWritten - ex.socketBytesAtStart;
      resolve();
    };
    res.on('finish', settle);
    res.on('close', settle);
  });
}

function splitHost(header: string | undefined, listenerPort: number): { host: string; port: number } {
  if (header === undefined || header.length === 0) return { host: '', port: listenerPort };
  const lower = header.toLowerCase();
  const close = lower.startsWith('[') ? lower.indexOf(']') : -1;
  const colon = lower.indexOf(':', close === -1 ? 0 : close);
  if (colon === -1 || (close === -1 && lower.indexOf(':', colon + 1) !== -1)) return { host: lower, port: listenerPort };
  const port = Number(lower.slice(colon + 1));
  return { host: lower.slice(0, colon), port: Number.isInteger(port) && port > 0 ? port : listenerPort };
}

async function proxy(runtime: Runtime, deps: PipelineDeps, ex: Exchange): Promise<void> {
  const { req, client } = ex;
  const match = runtime.router.match({
    method: client.method,
    host: client.host,
    port: client.port,
    path: client.path,
    headers: req.headers,
    scheme: 'http',
  });
  if (match === null) {
    sendError(ex, new GatewayError('GW_ERR_NO_ROUTE'));
    return;
  }
  ex.route = match.route;
  ex.service = match.service;
  ex.uriCaptures = match.uriCaptures;
  ex.plugins = runtime.plan.forRequest(match.route.id, match.service?.id ?? null, null);

  if (phasesOf(ex.plugins).access) {
    const answer = await runAccess(ex, runtime.plan, deps.logger);
    if (ex.clientAborted) return;
    if (answer !== undefined) {
      await sendWebResponse(ex, answer);
      return;
    }
  }
  // After access: `authenticate` may have switched to a consumer's plugin list.
  const upstreamPhase = phasesOf(ex.plugins).upstream;

  const service = ex.service;
  const baseHeaders = withoutHopByHop(req.headers);
  delete baseHeaders.expect;
  setForwardingHeaders(baseHeaders, {
    clientIp: client.clientIp,
    scheme: client.scheme,
    host: client.host,
    port: client.port,
    path: client.rawPath,
    requestId: ex.id,
    via: VIA,
  });
  const scheme = service?.protocol === 'https' ? 'https' : 'http';
  const defaultHost = service === null ? '' : hostHeader(service.host, service.port, scheme);
  if (!match.route.preserve_host || baseHeaders.host === undefined) baseHeaders.host = defaultHost;
  const hasBody = (client.contentLength ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const checked = (upstream: UpstreamRequest): UpstreamRequest => {
    if (upstream.host.length === 0) throw new GatewayError('GW_ERR_NO_SERVICE');
    // A plugin moved the request elsewhere without choosing a Host: follow the target.
    if (upstreamPhase && upstream.headers.host === baseHeaders.host && !match.route.preserve_host) {
      upstream.headers.host = hostHeader(upstream.host, upstream.port, upstream.scheme);
    }
    ex.upstream = upstream;
    return upstream;
  };

  const sent = await forward({
    agents: deps.agents,
    retries: service?.retries ?? 5,
    connectTimeout: service?.connect_timeout ?? 60_000,
    writeTimeout: service?.write_timeout ?? 60_000,
    readTimeout: service?.read_timeout ?? 60_000,
    tlsVerify: service?.tls_verify !== false,
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
      req.on('data', (chunk: Buffer) => (ex.requestBodyBytes += chunk.length));
    },
    onTry(_upstream, record) {
      ex.timing.upstreamStart = now();
      ex.tries.push(record);
    },
  });
  if (ex.clientAborted) {
    sent.response.destroy();
    return;
  }
  await sendUpstream(ex, sent, deps.logger);
}

function requestHeadSize(req: IncomingMessage): number {
  let size = (req.method ?? '').length + (req.url ?? '').length + 12 + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) size += Buffer.byteLength(raw[i]) + Buffer.byteLength(raw[i + 1]) + 4;
  return size;
}

function logInput(ex: Exchange): LogInput {
  const { req, client } = ex;
  const up = ex.upstream;
  return {
    id: ex.id,
    startedAt: ex.startedAt,
    method: client.method,
    scheme: client.scheme,
    host: client.host,
    port: client.port,
    uri: req.url ?? '/',
    query: client.query,
    requestHeaders: req.headers,
    requestSize: requestHeadSize(req) + ex.requestBodyBytes,
    upstreamUri: up === undefined ? '' : up.query.length > 0 ? `${up.path}?${up.query}` : up.path,
    upstreamStatus: ex.upstreamStatus,
    status: ex.status === 0 && ex.clientAborted ? 499 : ex.status,
    responseHeaders: ex.responseHeaders,
    responseSize: ex.responseSize,
    route: ex.route,
    service: ex.service,
    consumer: ex.consumer,
    credentialId: ex.credentialId,
    clientIp: client.clientIp,
    source: ex.source,
    clientAborted: ex.clientAborted,
    tries: ex.tries,
    timing: ex.timing,
    redactedHeaders: ex.redacted,
    serializeOps: ex.serializeOps,
  };
}
