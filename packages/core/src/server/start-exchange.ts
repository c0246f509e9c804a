/** A request as it arrives: the exchange with the client's view (scheme, host, port, path) filled in. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizePath } from '../router/index.js';
import { createExchange, type Exchange } from '../runtime/exchange.js';
import type { HeaderPolicy } from '../proxy/header-policy.js';
import type { Runtime } from './pipeline.js';

export function startExchange(runtime: Runtime, req: IncomingMessage, res: ServerResponse, headerPolicy: Readonly<HeaderPolicy>): Exchange {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  // The port is the one the request arrived on, as Kong's server_port: what X-Forwarded-Port says and
  // what the log's request.url shows. Routing uses the Host header's port when it has one (pipeline).
  const port = req.socket.localPort ?? 0;
  const host = hostName(req.headers.host);
  let path: string;
  try {
    path = normalizePath(rawPath);
  } catch {
    path = rawPath;
  }
  return createExchange({
    req,
    res,
    // Kong's $scheme: https on the TLS listener.
    scheme: (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
    host,
    port,
    rawPath,
    path,
    query: q === -1 ? '' : url.slice(q + 1),
    consumers: runtime.consumers,
    headerPolicy,
  });
}

/** The name the client asked for in its TLS handshake (routes with `snis`). */
export function sniOf(req: IncomingMessage): string | undefined {
  const name = (req.socket as { servername?: string | false }).servername;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The Host header's name part, lower-cased (`[v6]:port` keeps its brackets). */
function hostName(header: string | undefined): string {
  if (header === undefined || header.length === 0) return '';
  const lower = header.toLowerCase();
  const close = lower.startsWith('[') ? lower.indexOf(']') : -1;
  const colon = lower.indexOf(':', close === -1 ? 0 : close);
  // No port, or a bare IPv6 address (several colons, no brackets).
  if (colon === -1 || (close === -1 && lower.indexOf(':', colon + 1) !== -1)) return lower;
  return lower.slice(0, colon);
}
