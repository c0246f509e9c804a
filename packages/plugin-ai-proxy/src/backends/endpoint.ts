/** An upstream base URL split the way UpstreamRequest wants it. */
export interface Endpoint {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Path prefix without a trailing slash ('' for none). */
  prefix: string;
}

/** Parsed once per distinct URL (WHATWG URL parsing is slow and the URL is per route); frozen, shared. */
const parsed = new Map<string, Readonly<Endpoint>>();

export function parseEndpoint(raw: string): Readonly<Endpoint> {
  let endpoint = parsed.get(raw);
  if (endpoint === undefined) {
    endpoint = Object.freeze(parseUrl(raw));
    if (parsed.size >= 256) parsed.clear();
    parsed.set(raw, endpoint);
  }
  return endpoint;
}

function parseUrl(raw: string): Endpoint {
  const url = new URL(raw);
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  return {
    scheme,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port),
    prefix: url.pathname.replace(/\/+$/, ''),
  };
}

/** The Host header value: no port for the scheme's default port (Bedrock signs it, so it must match the wire). */
export function hostHeader(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const defaultPort = endpoint.scheme === 'http' ? 80 : 443;
  return endpoint.port === defaultPort ? host : `${host}:${endpoint.port}`;
}
