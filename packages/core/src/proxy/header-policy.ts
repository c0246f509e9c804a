/**
 * Which of its own headers gw adds, as Kong's `headers` and `headers_upstream` settings (kong.conf) say.
 * Platform teams turn them off so responses don't advertise the gateway and its version, or its
 * latencies; a plugin's own headers are not affected. Parsed once at start, read per request.
 */

export interface HeaderPolicy {
  /** `Server: gw/x.y.z` on responses gw produces itself (errors, short-circuits). */
  server: boolean;
  /** `Via: 1.1 gw/x.y.z` on proxied responses and on the upstream request. */
  via: boolean;
  proxyLatency: boolean;
  upstreamLatency: boolean;
  responseLatency: boolean;
  /** `X-Kong-Upstream-Status`: off unless asked for, as in Kong. */
  upstreamStatus: boolean;
  /** `X-Kong-Request-Id` on responses. */
  requestId: boolean;
  /** `X-Kong-Admin-Latency` on admin API responses. */
  adminLatency: boolean;
  /** `X-Kong-Request-Id` on the upstream request (`headers_upstream`). */
  upstreamRequestId: boolean;
}

/** Kong's defaults: `headers = server_tokens, latency_tokens, X-Kong-Request-Id`, `headers_upstream = X-Kong-Request-Id`. */
export const DEFAULT_HEADERS = 'server_tokens, latency_tokens, X-Kong-Request-Id';
export const DEFAULT_HEADERS_UPSTREAM = 'X-Kong-Request-Id';

type Flag = Exclude<keyof HeaderPolicy, 'upstreamRequestId'>;

/** Accepted tokens, lower-cased (Kong compares them case-insensitively). */
const TOKENS: Record<string, readonly Flag[]> = {
  server: ['server'],
  via: ['via'],
  'x-kong-proxy-latency': ['proxyLatency'],
  'x-kong-upstream-latency': ['upstreamLatency'],
  'x-kong-response-latency': ['responseLatency'],
  'x-kong-admin-latency': ['adminLatency'],
  // Kong Enterprise's: accepted so a kong.conf value works unchanged, and means nothing.
  'x-kong-admin-request-id': [],
  'x-kong-upstream-status': ['upstreamStatus'],
  'x-kong-request-id': ['requestId'],
  server_tokens: ['server', 'via'],
  latency_tokens: ['proxyLatency', 'upstreamLatency', 'responseLatency', 'adminLatency'],
};

function tokens(value: string): string[] {
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token.length > 0);
}

/** Both settings as Kong reads them; throws a message naming the setting and the token it can't use. */
export function parseHeaderPolicy(headers = DEFAULT_HEADERS, headersUpstream = DEFAULT_HEADERS_UPSTREAM): HeaderPolicy {
  const policy: HeaderPolicy = {
    server: false,
    via: false,
    proxyLatency: false,
    upstreamLatency: false,
    responseLatency: false,
    upstreamStatus: false,
    requestId: false,
    adminLatency: false,
    upstreamRequestId: false,
  };
  const list = tokens(headers);
  if (!(list.length === 1 && list[0] === 'off')) {
    for (const token of list) {
      const flags = TOKENS[token];
      if (flags === undefined) throw new Error(`headers: unknown value '${token}' (expected off, server_tokens, latency_tokens or ${Object.keys(TOKENS).filter((t) => t.startsWith('x-') || t === 'server' || t === 'via').join(', ')})`);
      for (const flag of flags) policy[flag] = true;
    }
  }
  const upstream = tokens(headersUpstream);
  if (!(upstream.length === 1 && upstream[0] === 'off')) {
    for (const token of upstream) {
      if (token !== 'x-kong-request-id') throw new Error(`headers_upstream: unknown value '${token}' (expected off or X-Kong-Request-Id)`);
      policy.upstreamRequestId = true;
    }
  }
  return policy;
}

export const DEFAULT_HEADER_POLICY: Readonly<HeaderPolicy> = parseHeaderPolicy();
