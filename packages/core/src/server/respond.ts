/**
 * Writing responses on the raw Node response: the head of any response, and gw's own (errors, a plugin's
 * Response). The upstream's is upstream-response.ts.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorHeaders, renderErrorBody, type GatewayError, type HeaderMap } from '@gw/plugin-api';
import { withoutHopByHop } from '../proxy/headers.js';
import type { Exchange } from '../runtime/exchange.js';
import { phasesOf } from '../runtime/phases.js';
import { kongHeaders } from './kong-headers.js';
import { closeLingering } from './lingering-close.js';
import { breakResponse } from './response-cut.js';

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
export function drained(res: ServerResponse): Promise<void> {
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
