/**
 * The request after its access phase: the upstream request made from the client's, sent with retries
 * (proxy/forward.ts), and its answer handed on to the response (upstream-response.ts).
 */
import { GatewayError, type HeaderMap, type UpstreamRequest } from '@gw/plugin-api';
import { forwardWith } from '../proxy/forward.js';
import { hostHeader, setForwardingHeaders, withoutHopByHop } from '../proxy/headers.js';
import type { RouteMatch } from '../router/index.js';
import type { UpstreamTls } from '../config/model.js';
import { now, type Exchange } from '../runtime/exchange.js';
import { phasesOf, runAfterTry, runUpstream } from '../runtime/phases.js';
import type { Done, PipelineDeps } from './pipeline.js';
import { sendUpstream } from './upstream-response.js';
import { VIA } from './version.js';

export function toUpstream(deps: PipelineDeps, ex: Exchange, match: RouteMatch, tls: UpstreamTls | undefined, done: Done): void {
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
