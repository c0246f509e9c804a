/**
 * What nginx (and so Kong) refuses in a request head that Node's parser lets through, checked before
 * routing so that none of it reaches a plugin or the upstream:
 *  - HTTP/0.9 (a request line without a version, or `HTTP/0.9`): 400. nginx still serves a 0.9 GET
 *    without headers; Node can't answer in 0.9's headerless form, so gw refuses it (kong-differences.md).
 *  - an HTTP/2.0 request line on an HTTP/1 connection: 505, as nginx answers a major version above 1.
 *  - a second line of a header nginx keeps one of (Host, Authorization, Content-Length, …): 400. Node
 *    keeps the first and drops the rest silently, so the gateway and the upstream could read different
 *    values of the same header.
 * And, unless `underscores_in_headers` is on, header lines whose names contain `_` are dropped, as nginx
 * ignores them: no plugin, log record or upstream sees them (a client can't slip `X_Api_Key` past the
 * redaction of `x-api-key`, or past a proxy in front of gw that dropped it, into an upstream that reads
 * both spellings as one).
 * One pass over the raw header names; a name is compared only when its length is one of those headers'.
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '@gw/plugin-api';

/** nginx's `ngx_http_process_host` and `ngx_http_process_unique_header_line` headers, each with a bit. */
const UNIQUE = [
  'host',
  'authorization',
  'content-length',
  'transfer-encoding',
  'content-range',
  'expect',
  'if-match',
  'if-none-match',
  'if-range',
  'if-modified-since',
  'if-unmodified-since',
];

/** By name length: [name, bit] pairs; most header names have a length none of them has. */
const BY_LENGTH: Array<Array<[string, number]> | undefined> = [];
UNIQUE.forEach((name, i) => (BY_LENGTH[name.length] ??= []).push([name, 1 << i]));

/** The bit of `name` among the unique headers, or 0. No allocation unless the length matches and the case differs. */
function uniqueBit(name: string): number {
  const candidates = BY_LENGTH[name.length];
  if (candidates === undefined) return 0;
  for (const [unique, bit] of candidates) if (unique === name) return bit;
  const lower = name.toLowerCase();
  for (const [unique, bit] of candidates) if (unique === lower) return bit;
  return 0;
}

/** The error to answer a request head with, or undefined when it may go on (underscored headers dropped, unless allowed). */
export function checkRequestHead(req: IncomingMessage, underscoresInHeaders: boolean): GatewayError | undefined {
  if (req.httpVersionMajor !== 1) {
    return req.httpVersionMajor === 0 ? new GatewayError('GW_ERR_BAD_REQUEST') : new GatewayError('GW_ERR_HTTP_VERSION_NOT_SUPPORTED');
  }
  const raw = req.rawHeaders;
  let seen = 0;
  let underscored = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (!underscoresInHeaders && name.includes('_')) underscored = true;
    const bit = uniqueBit(name);
    if (bit === 0) continue;
    if ((seen & bit) !== 0) return new GatewayError('GW_ERR_BAD_REQUEST');
    seen |= bit;
  }
  if (underscored) dropUnderscored(req.headers);
  return undefined;
}

/** nginx's `underscores_in_headers off` with `ignore_invalid_headers on`: such a header is not there. */
function dropUnderscored(headers: IncomingMessage['headers']): void {
  for (const name of Object.keys(headers)) if (name.includes('_')) delete headers[name];
}
