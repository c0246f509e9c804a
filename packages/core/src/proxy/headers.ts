/**
 * Header rules at the proxy boundary: hop-by-hop headers (RFC 9110 §7.6.1) never cross it, in either
 * direction, and the forwarding headers Kong sets on the upstream request.
 */
import type { HeaderMap } from '@gw/plugin-api';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

const CLOSE: ReadonlySet<string> = new Set(['close']);

type InHeaders = Readonly<Record<string, string | string[] | number | undefined>>;

/** A copy of `headers` without hop-by-hop headers, including those listed in `Connection`. */
export function withoutHopByHop(headers: InHeaders): HeaderMap {
  const listed = connectionTokens(headers.connection);
  const out: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || (listed !== undefined && listed.has(name))) continue;
    out[name] = typeof value === 'number' ? String(value) : value;
  }
  return out;
}

/**
 * The upstream's raw head without hop-by-hop headers, as a flat [name, value, …] list for `writeHead`:
 * no header map is built when nobody reads one. `via` is appended to (the last line of) the upstream's,
 * unless undefined.
 * A repeated Content-Length keeps its first line, as Node's map would. `requestId`, unless undefined, is
 * added as `request-id` when the upstream sent none.
 */
export function passThroughHeaders(raw: readonly string[], via: string | undefined, requestId?: string): string[] {
  let connection: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') (connection ??= []).push(raw[i + 1]);
  }
  const listed = connection === undefined ? undefined : connectionTokens(connection.length === 1 ? connection[0] : connection);
  const out: string[] = [];
  let length = false;
  let viaAt = -1;
  let hasRequestId = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || (listed !== undefined && listed.has(name))) continue;
    if (name === 'content-length') {
      if (length) continue;
      length = true;
    } else if (name === 'via') viaAt = out.length;
    else if (name === 'request-id') hasRequestId = true;
    out.push(raw[i], raw[i + 1]);
  }
  if (requestId !== undefined && !hasRequestId) out.push('request-id', requestId);
  if (via === undefined) return out;
  if (viaAt === -1 || out[viaAt + 1] === '') out.push('via', via);
  else out[viaAt + 1] = `${out[viaAt + 1]}, ${via}`;
  return out;
}

function connectionTokens(value: string | string[] | number | undefined): ReadonlySet<string> | undefined {
  if (value === undefined || typeof value === 'number') return undefined;
  // The usual values: no set to build per request.
  if (value === 'keep-alive' || value === 'Keep-Alive') return undefined; // names a hop-by-hop header anyway
  if (value === 'close' || value === 'Close') return CLOSE;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const tokens = new Set<string>();
  for (const t of joined.split(',')) {
    const name = t.trim().toLowerCase();
    if (name.length > 0) tokens.add(name);
  }
  return tokens;
}

/** Append to a list-valued header (`a, b`), creating it when absent. */
export function appendListHeader(headers: HeaderMap, name: string, value: string): void {
  const prev = headers[name];
  if (prev === undefined || prev === '') headers[name] = value;
  else headers[name] = `${Array.isArray(prev) ? prev.join(', ') : prev}, ${value}`;
}

export interface ForwardingInfo {
  clientIp: string;
  scheme: string;
  host: string;
  port: number;
  /** The path the client requested (raw, without query). */
  path: string;
  /** X-Kong-Request-Id, unless `headers_upstream` is off. */
  requestId: string | undefined;
  /** Appended to Via, unless `headers` leaves Via out. */
  via: string | undefined;
}

/**
 * Kong's forwarding headers for an untrusted client (the default `trusted_ips`): X-Forwarded-For is
 * appended to, the other X-Forwarded-* are gw's own values, X-Forwarded-Prefix is dropped.
 */
export function setForwardingHeaders(headers: HeaderMap, info: ForwardingInfo): void {
  appendListHeader(headers, 'x-forwarded-for', info.clientIp);
  headers['x-forwarded-proto'] = info.scheme;
  headers['x-forwarded-host'] = info.host;
  headers['x-forwarded-port'] = String(info.port);
  headers['x-forwarded-path'] = info.path;
  delete headers['x-forwarded-prefix'];
  headers['x-real-ip'] = info.clientIp;
  if (info.requestId !== undefined) headers['x-kong-request-id'] = info.requestId;
  if (info.via !== undefined) appendListHeader(headers, 'via', info.via);
}

/** `host[:port]` as the Host header, the port omitted when it is the scheme's default. */
export function hostHeader(host: string, port: number, scheme: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return port === defaultPort ? h : `${h}:${port}`;
}
