/** The exchange, as the log record (log/record.ts) sees it once the response is finished. */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { LogInput } from '../log/record.js';
import type { Exchange } from '../runtime/exchange.js';

/** Bytes of the request line and headers as received (Node does not keep the raw head). */
function requestHeadSize(req: IncomingMessage): number {
  let size = (req.method ?? '').length + (req.url ?? '').length + 12 + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) size += Buffer.byteLength(raw[i]) + Buffer.byteLength(raw[i + 1]) + 4;
  return size;
}

/** Kong's `request.tls`: protocol and cipher (OpenSSL names); no client certificates are asked for. */
function tlsOf(req: IncomingMessage): LogInput['tls'] {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true) return undefined;
  return { version: socket.getProtocol?.() ?? '', cipher: socket.getCipher?.()?.name ?? '', client_verify: 'NONE' };
}

/** The cut, with a read timeout named as such (the try's failure can arrive after the response broke). */
function cutOf(ex: Exchange): LogInput['cut'] {
  const cut = ex.cut;
  if (cut === undefined) return undefined;
  const reason = cut.by === 'upstream' && cut.sent?.lateFailure?.kind === 'read-timeout' ? 'read-timeout' : cut.reason;
  return { by: cut.by, reason, time: cut.time, bytes: cut.bytes };
}

/** What the log record is built from, read off the finished exchange. */
export function logInput(ex: Exchange): LogInput {
  const { req, client } = ex;
  const up = ex.upstream;
  return {
    id: ex.id,
    startedAt: ex.startedAt,
    method: client.method,
    scheme: client.scheme,
    host: client.host,
    port: client.port,
    tls: tlsOf(req),
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
    cut: cutOf(ex),
    tries: ex.tries,
    timing: ex.timing,
    redactedHeaders: ex.redacted,
    serializeOps: ex.serializeOps,
  };
}
