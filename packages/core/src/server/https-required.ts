/** Kong's answer when a route matches except for its protocol: https only, asked over plain http. */
import { GatewayError, type HeaderMap } from '@gw/plugin-api';
import type { Exchange } from '../runtime/exchange.js';
import { kongHeaders } from './kong-headers.js';
import { sendError, writeHead } from './respond.js';

/**
 * An https-only route asked over http (Kong's https_redirect_status_code): 426 with an Upgrade hint, or a
 * redirect to `https://<host><uri>` — without a port, as Kong does (a TLS listener on another port sits
 * behind something that maps 443 to it, or the client is told the port some other way).
 */
export function sendHttpsRequired(ex: Exchange, status: number): void {
  if (status === 426) {
    sendError(ex, new GatewayError('GW_ERR_HTTPS_REQUIRED', { headers: { connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' } }));
    return;
  }
  ex.source = 'kong';
  const host = ex.client.host.length > 0 ? ex.client.host : (ex.req.socket.localAddress ?? 'localhost');
  const headers: HeaderMap = { location: `https://${host}${ex.req.url ?? '/'}`, 'content-length': '0' };
  if (!ex.req.complete) ex.res.shouldKeepAlive = false;
  writeHead(ex, status, kongHeaders(ex, headers));
  ex.res.end();
}
