/**
 * Writing responses on the raw Node response: gw's own (errors, a plugin's Response) and the upstream's,
 * piped as is or through the plugins' body transforms with the head sent lazily with the first chunk.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { GatewayError, errorHeaders, renderErrorBody, type HeaderMap, type Logger, type ResponseHead } from '@gw/plugin-api';
import { appendListHeader, passThroughHeaders, withoutHopByHop } from '../proxy/headers.js';
import { toGatewayError } from '../proxy/forward.js';
import { UpstreamFailure, type SentRequest } from '../proxy/send.js';
import { now, type CutMark, type Exchange } from '../runtime/exchange.js';
import { describe } from '../runtime/plan.js';
import { collectBodyTransforms, phasesOf, runResponseHeaders } from '../runtime/phases.js';
import { transformedBody } from './body-stream.js';
import { driveTransformers, isTransformStream, type BodyTransform, type BodyTransformer } from './direct-body.js';
import { SERVER, VIA } from './version.js';
import { closeLingering } from './lingering-close.js';

const ms = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? '0' : String(Math.max(0, Math.round(to - from)));

/** Node rejects undefined header values; a copy without them only when a plugin left one. */
function toOutgoing(headers: HeaderMap): OutgoingHttpHeaders {
  let clean = true;
  for (const name in headers) {
    if (headers[name] === undefined) {
      clean = false;
      break;
    }
  }
  if (clean) return headers as OutgoingHttpHeaders;
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export function writeHead(ex: Exchange, status: number, headers: HeaderMap): void {
  ex.status = status;
  ex.responseHeaders = headers;
  if (!ex.res.destroyed && !ex.res.headersSent) {
    markResponseStart(ex);
    ex.res.writeHead(status, toOutgoing(headers));
  }
}

/** The response size is only for the log record: read the socket counter only when a log plugin will run. */
function markResponseStart(ex: Exchange): void {
  if (ex.socket !== null && phasesOf(ex.plugins).log.length > 0) ex.socketBytesAtStart = ex.socket.bytesWritten;
}

/** Note, once (the first cause wins), that the response is cut, with the bytes it had put on the wire. */
export function markCut(ex: Exchange, by: CutMark['by'], reason: CutMark['reason'], sent?: SentRequest): void {
  if (ex.cut !== undefined) return;
  const socket = ex.socket;
  const bytes = socket !== null && ex.socketBytesAtStart >= 0 ? socket.bytesWritten - ex.socketBytesAtStart : 0;
  ex.cut = { by, reason, time: now(), bytes, sent };
}

/** Break the client connection: the head is already out, so an error can only be signalled by closing. */
export function breakResponse(ex: Exchange, by: CutMark['by'], reason: CutMark['reason'], sent?: SentRequest): void {
  markCut(ex, by, reason, sent);
  ex.responseBroken = true;
  ex.res.destroy();
}

/**
 * Break the client connection once what was written has left: a last event a plugin wrote before failing the
 * body (an error event) still reaches the client, which then sees the connection close without the body's
 * end. A client that stops reading is cut off after a few seconds.
 */
function breakResponseAfterWrites(ex: Exchange, by: CutMark['by'], reason: CutMark['reason']): void {
  markCut(ex, by, reason);
  ex.responseBroken = true;
  const socket = ex.res.socket;
  if (socket === null || socket.destroyed) {
    ex.res.destroy();
    return;
  }
  const destroy = () => ex.res.destroy();
  socket.once('finish', destroy);
  setTimeout(destroy, 5_000).unref();
  socket.end();
}

/** gw's headers on a response it produced itself, as the header policy allows. */
export function kongHeaders(ex: Exchange, headers: HeaderMap): HeaderMap {
  ex.timing.responded ??= now();
  const policy = ex.headerPolicy;
  if (policy.requestId) {
    headers['x-kong-request-id'] = ex.id;
    // Anthropic's API answers every request with `request-id` (its SDKs' `_request_id`); a plugin's own may stand.
    headers['request-id'] ??= ex.id;
    // OpenAI's with `x-request-id` (its SDKs' `_request_id` and APIError.requestID), for clients of that format.
    if (ex.errorFormat === 'openai') headers['x-request-id'] ??= ex.id;
  }
  if (policy.responseLatency) headers['x-kong-response-latency'] = ms(ex.timing.start, ex.timing.responded);
  if (policy.server) headers.server = SERVER;
  return headers;
}

/** gw's headers on a proxied response, as the header policy allows, pushed onto a flat [name, value, …] list. */
function upstreamKongHeaders(ex: Exchange, status: number, list: string[]): string[] {
  const policy = ex.headerPolicy;
  if (policy.upstreamLatency) list.push('x-kong-upstream-latency', ms(ex.timing.upstreamStart, ex.timing.upstreamFirstByte));
  if (policy.proxyLatency) list.push('x-kong-proxy-latency', ms(ex.timing.start, ex.timing.upstreamStart));
  if (policy.upstreamStatus) list.push('x-kong-upstream-status', String(status));
  if (policy.requestId) list.push('x-kong-request-id', ex.id);
  return list;
}

/** gw's own error response, in the request's error format. */
export function sendError(ex: Exchange, err: GatewayError): void {
  ex.source = 'kong';
  if (ex.res.headersSent) {
    breakResponse(ex, 'gateway', 'error');
    return;
  }
  const body = renderErrorBody(ex.errorFormat, err.status, err.message, err.anthropicType, err.param);
  // A request body left half-read (a 413, an upstream failure mid-upload) would keep the connection
  // waiting for bytes nobody reads: close it after this response, lingering so the client gets it.
  // A client that stalled (408) isn't sending: nothing to linger for.
  if (!ex.req.complete) {
    if (ex.bodyTimedOut) ex.res.shouldKeepAlive = false;
    else closeLingering(ex.req, ex.res);
  }
  const headers: HeaderMap = {};
  for (const [k, v] of Object.entries(err.headers)) headers[k.toLowerCase()] = v;
  const formatHeaders = errorHeaders(ex.errorFormat, err.status);
  if (formatHeaders !== undefined) Object.assign(headers, formatHeaders);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(body));
  writeHead(ex, err.status, kongHeaders(ex, headers));
  ex.res.end(ex.req.method === 'HEAD' ? undefined : body);
}

/** Wait until `res` can take more data (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A plugin answered in the access phase. */
export async function sendWebResponse(ex: Exchange, response: Response): Promise<void> {
  ex.source = 'kong';
  const raw: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') raw[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) raw['set-cookie'] = cookies;
  const headers = kongHeaders(ex, withoutHopByHop(raw));
  if (response.body === null || ex.req.method === 'HEAD') {
    writeHead(ex, response.status, headers);
    ex.res.end();
    return;
  }
  writeHead(ex, response.status, headers);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (ex.res.destroyed) return;
      if (!ex.res.write(value)) await drained(ex.res);
    }
    ex.res.end();
  } catch {
    breakResponse(ex, 'gateway', 'plugin-failed');
  } finally {
    if (ex.res.destroyed) void reader.cancel().catch(() => {});
  }
}

/**
 * The upstream answered: response phases, then the body piped or transformed. Synchronous (undefined)
 * when the body is piped; the promise of the transformed body otherwise. Never throws a plugin's error:
 * it becomes gw's error response.
 */
export function sendUpstream(ex: Exchange, sent: SentRequest, logger: Logger): Promise<void> | undefined {
  const up = sent.response;
  ex.source = 'upstream';
  ex.upstreamStatus = up.statusCode;
  ex.timing.upstreamFirstByte = now();
  const phases = phasesOf(ex.plugins);
  if (phases.log.length > 0) up.once('end', () => (ex.timing.upstreamEnd = now()));
  if (!phases.responseHeaders && !phases.responseBody && phases.log.length === 0) {
    // Nobody reads the head as a map: pass the upstream's raw lines through with Kong's added.
    const list = passThroughHeaders(up.rawHeaders, ex.headerPolicy.via ? VIA : undefined, ex.headerPolicy.requestId ? ex.id : undefined);
    ex.status = up.statusCode ?? 502;
    upstreamKongHeaders(ex, ex.status, list);
    if (!ex.res.destroyed && !ex.res.headersSent) ex.res.writeHead(ex.status, list);
    pipeThrough(ex, sent);
    return;
  }
  const headers = withoutHopByHop(up.headers);
  if (ex.headerPolicy.via) appendListHeader(headers, 'via', VIA);
  const added = upstreamKongHeaders(ex, up.statusCode ?? 502, []);
  for (let i = 0; i < added.length; i += 2) headers[added[i]] = added[i + 1];
  // The upstream's own request-id (Anthropic's) is kept: it is what its support can look up.
  if (ex.headerPolicy.requestId && headers['request-id'] === undefined) headers['request-id'] = ex.id;
  if (ex.headerPolicy.requestId && ex.errorFormat === 'openai' && headers['x-request-id'] === undefined) headers['x-request-id'] = ex.id;
  const head: ResponseHead = { status: up.statusCode ?? 502, headers, source: 'upstream' };

  let transforms: BodyTransform[] = [];
  try {
    if (phases.responseHeaders) runResponseHeaders(ex, head, logger);
    if (phases.responseBody) transforms = collectBodyTransforms(ex, head, logger);
  } catch (err) {
    up.destroy();
    sendError(ex, err as GatewayError);
    return;
  }

  if (transforms.length === 0) {
    writeHead(ex, head.status, head.headers);
    pipeThrough(ex, sent);
    return;
  }
  // The upstream length no longer describes a transformed body; a transform may set its own before its first chunk.
  delete head.headers['content-length'];
  if (!transforms.some(isTransformStream)) return sendDirect(ex, sent, head, transforms as BodyTransformer[], logger);
  return sendTransformed(ex, sent, head, transforms, logger);
}

/**
 * Node-to-Node pipe (no web streams, no per-request AbortController as stream/promises' pipeline makes).
 * A broken upstream truncates the client response by closing the connection; a gone client is handled by
 * the request's abort hook, which destroys the upstream request. Nothing to wait for here: the pipeline
 * already waits for the response to finish or close.
 */
function pipeThrough(ex: Exchange, sent: SentRequest): void {
  const { res } = ex;
  const up = sent.response;
  const broken = () => {
    up.unpipe(res);
    if (!res.writableFinished) breakResponse(ex, 'upstream', 'closed', sent);
  };
  up.on('error', broken);
  up.on('close', () => {
    if (!up.readableEnded) broken();
  });
  up.pipe(res);
}

/** Only Transformers: driven on the upstream's chunks with no web stream (see direct-body.ts). */
async function sendDirect(ex: Exchange, sent: SentRequest, head: ResponseHead, transformers: BodyTransformer[], logger: Logger): Promise<void> {
  const { res } = ex;
  let headSent = false;
  const commit = () => {
    if (headSent) return;
    headSent = true;
    writeHead(ex, head.status, head.headers);
  };
  try {
    await driveTransformers(sent.response, transformers, res, commit);
    commit();
    res.end();
  } catch (err) {
    bodyFailed(ex, sent, headSent, err, logger);
  }
}

/** At least one TransformStream: every Transformer wrapped in one, all composed as Web streams. */
async function sendTransformed(ex: Exchange, sent: SentRequest, head: ResponseHead, list: BodyTransform[], logger: Logger): Promise<void> {
  const { res } = ex;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let headSent = false;
  // One upstream chunk usually becomes several transformed chunks, read in the same microtask run:
  // the socket stays corked until the next tick so they leave in one write, not one syscall each.
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    res.uncork();
  };
  try {
    const transforms = list.map((t) => (isTransformStream(t) ? t : new TransformStream(t)));
    reader = transformedBody(sent.response, transforms as [TransformStream<Uint8Array, Uint8Array>]).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!headSent) {
        writeHead(ex, head.status, head.headers);
        headSent = true;
      }
      if (res.destroyed) throw new Error('client gone');
      if (value.byteLength === 0) continue;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(flush);
      }
      if (!res.write(value)) {
        flush();
        await drained(res);
      }
    }
    flush();
    if (!headSent) writeHead(ex, head.status, head.headers);
    res.end();
  } catch (err) {
    flush();
    void reader?.cancel().catch(() => {});
    bodyFailed(ex, sent, headSent, err, logger);
  }
}

/** The transformed body failed: stop the upstream; gw's error response before the head, a broken connection after. */
function bodyFailed(ex: Exchange, sent: SentRequest, headSent: boolean, err: unknown, logger: Logger): void {
  sent.response.destroy();
  if (ex.clientAborted || ex.res.destroyed) return;
  if (headSent || ex.res.headersSent) {
    if (upstreamFault(err, sent)) breakResponse(ex, 'upstream', 'closed', sent);
    // A plugin failing the body with gw's own error meant to (after its last event): the cut is that error.
    else if (GatewayError.is(err)) breakResponseAfterWrites(ex, 'gateway', 'error');
    else breakResponse(ex, 'gateway', 'plugin-failed');
    return;
  }
  sendError(ex, bodyError(ex, err, sent, logger));
}

/** The body failed because the upstream did (reset, closed early, timed out), not a plugin. */
function upstreamFault(err: unknown, sent: SentRequest): boolean {
  if (sent.lateFailure !== undefined || err instanceof UpstreamFailure) return true;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function bodyError(ex: Exchange, err: unknown, sent: SentRequest, logger: Logger): GatewayError {
  if (GatewayError.is(err)) return err;
  const late = sent.lateFailure ?? (err instanceof UpstreamFailure ? err : undefined);
  if (late !== undefined) return toGatewayError(late);
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE');
  logger.error(`request ${ex.id}: response body transform failed: ${describe(err)}`);
  return new GatewayError('GW_ERR_PLUGIN_FAILED');
}
