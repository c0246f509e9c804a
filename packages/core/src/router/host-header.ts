/**
 * The host and port a request is routed on. Kong splits the Host header at its `:` and, when a port
 * follows, routes on that port; only a Host header without a port falls back to the port the request
 * arrived on (`kong/router/atc.lua` `matching`, `kong/router/fields.lua` `net.dst.port`). So
 * `Host: domain-1.org:22321` reaches a route for `domain-1.org:22321` whatever the listener.
 */

export interface HostAndPort {
  /** Lower-cased, without the port; `[v6]` keeps its brackets. */
  host: string;
  port: number;
}

export function splitHostHeader(header: string | undefined, listenerPort: number): HostAndPort {
  if (header === undefined || header.length === 0) return { host: '', port: listenerPort };
  const lower = header.toLowerCase();
  const close = lower.startsWith('[') ? lower.indexOf(']') : -1;
  const colon = lower.indexOf(':', close === -1 ? 0 : close);
  // No port, or a bare IPv6 address (several colons, no brackets).
  if (colon === -1 || (close === -1 && lower.indexOf(':', colon + 1) !== -1)) return { host: lower, port: listenerPort };
  const portText = lower.slice(colon + 1);
  // `host:` or a port that is not a number: Kong keeps the whole header as the host.
  if (!/^\d{1,5}$/.test(portText)) return { host: portText === '' ? lower.slice(0, colon) : lower, port: listenerPort };
  return { host: lower.slice(0, colon), port: Number(portText) };
}
