/**
 * Which proxy an outbound request takes, read once from the environment as curl and the AWS CLI read it:
 *  - https targets: `https_proxy`, else `HTTPS_PROXY`; http targets: `http_proxy`, else `HTTP_PROXY`
 *    (lower case first, as curl, Python and Go). curl never reads upper-case `HTTP_PROXY` (httpoxy: a
 *    CGI program gets a client's `Proxy:` header as HTTP_PROXY); the AWS CLI and Go do, except under CGI
 *    (`REQUEST_METHOD` set). gw is never a CGI program, so it follows the AWS CLI.
 *  - `no_proxy`, else `NO_PROXY` (no-proxy.ts).
 *  - The AWS instance metadata and container credential addresses never go through a proxy (the AWS SDKs'
 *    metadata clients never use one either).
 *  - `ALL_PROXY` is not read (neither the AWS CLI nor Go do); setting it only earns a warning.
 * A proxy URL is `http://` or `https://` (TLS to the proxy), with optional `user:password@`
 * (percent-encoded); without a scheme it is `http://`; without a port, 80 or 443.
 */
import net from 'node:net';
import { EMPTY_NO_PROXY, matchesNoProxy, parseNoProxy, type NoProxy } from './no-proxy.js';

export interface ProxyServer {
  /** The proxy's URL, credentials included: never print it (`display` is for messages). */
  readonly url: URL;
  /** `http://host:port`, no credentials. */
  readonly display: string;
  /** The variable it was read from. */
  readonly variable: string;
  /** Host and port to connect to (an IPv6 address without brackets). */
  readonly host: string;
  readonly port: number;
  /** `Basic …` for Proxy-Authorization, when the URL has a user or password. */
  readonly authorization: string | undefined;
}

export interface ProxySettings {
  readonly https: ProxyServer | undefined;
  readonly http: ProxyServer | undefined;
  readonly noProxy: NoProxy;
  /** The NO_PROXY value as read (for the start-up line), or undefined. */
  readonly noProxyText: string | undefined;
}

export interface ProxyEnv {
  /** Undefined when no proxy is set for either scheme. */
  settings: ProxySettings | undefined;
  /** Unusable values: gw refuses to start on them (going direct would bypass the proxy the operator set). */
  problems: string[];
  warnings: string[];
}

/** Never proxied: EC2 instance metadata (IPv4, IPv6), the ECS container agent, the EKS Pod Identity agent (IPv4, IPv6). */
export const AWS_METADATA_HOSTS: readonly string[] = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '169.254.170.23', 'fd00:ec2::23'];
const ALWAYS_DIRECT = parseNoProxy(AWS_METADATA_HOSTS.join(','));

type Env = Readonly<Record<string, string | undefined>>;

export function readProxyEnv(env: Env): ProxyEnv {
  const problems: string[] = [];
  const warnings: string[] = [];
  const pick = (lower: string, upper: string): [string, string] | undefined => {
    for (const name of [lower, upper]) {
      const value = env[name]?.trim();
      if (value !== undefined && value !== '') return [name, value];
    }
    return undefined;
  };
  const server = (found: [string, string] | undefined): ProxyServer | undefined => {
    if (found === undefined) return undefined;
    const parsed = parseProxyUrl(found[0], found[1]);
    if (typeof parsed === 'string') {
      problems.push(parsed);
      return undefined;
    }
    return parsed;
  };

  const https = server(pick('https_proxy', 'HTTPS_PROXY'));
  let httpFound = pick('http_proxy', 'HTTP_PROXY');
  if (httpFound?.[0] === 'HTTP_PROXY' && env.REQUEST_METHOD !== undefined) {
    warnings.push('HTTP_PROXY is ignored because REQUEST_METHOD is set (a CGI environment, where HTTP_PROXY can come from a client); use http_proxy');
    httpFound = undefined;
  }
  const http = server(httpFound);
  if (pick('all_proxy', 'ALL_PROXY') !== undefined) {
    warnings.push('ALL_PROXY is not read: set HTTPS_PROXY (and HTTP_PROXY for http:// upstreams) to send gw\'s outbound requests through a proxy');
  }
  const noProxyFound = pick('no_proxy', 'NO_PROXY');
  const settings =
    https === undefined && http === undefined
      ? undefined
      : { https, http, noProxy: noProxyFound === undefined ? EMPTY_NO_PROXY : parseNoProxy(noProxyFound[1]), noProxyText: noProxyFound?.[1] };
  return { settings, problems, warnings };
}

/** A proxy URL from variable `variable`; a message naming the variable (never the value: it may hold a password) when it is unusable. */
export function parseProxyUrl(variable: string, value: string): ProxyServer | string {
  const text = value.includes('://') ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${variable} is not a valid proxy URL (expected http://[user:password@]host:port)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${variable}: gw talks to http:// and https:// proxies, not ${url.protocol.slice(0, -1)}://`;
  }
  if (url.hostname === '') return `${variable} names no proxy host`;
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    try {
      authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    } catch {
      return `${variable}: the proxy user or password is not valid percent-encoding (write % as %25)`;
    }
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const shown = net.isIPv6(host) ? `[${host}]` : host;
  return { url, display: `${url.protocol}//${shown}:${port}`, variable, host, port, authorization };
}

/** The proxy for a request to `scheme://host:port`, or undefined: go direct. */
export function proxyFor(settings: ProxySettings, scheme: 'http' | 'https', host: string, port: number): ProxyServer | undefined {
  const server = scheme === 'https' ? settings.https : settings.http;
  if (server === undefined) return undefined;
  if (matchesNoProxy(ALWAYS_DIRECT, host, port) || matchesNoProxy(settings.noProxy, host, port)) return undefined;
  return server;
}

/** One line for `gw start`: which proxy each scheme takes and what NO_PROXY exempts; never a credential. */
export function describeProxySettings(s: ProxySettings): string {
  const one = (scheme: string, p: ProxyServer | undefined) =>
    p === undefined ? `${scheme} direct` : `${scheme} via ${p.display} (${p.variable}${p.authorization === undefined ? '' : ', with credentials'})`;
  const exempt = s.noProxy.all ? 'no_proxy *: every host direct' : s.noProxyText === undefined ? 'no no_proxy' : `no_proxy ${s.noProxyText}`;
  return `outbound proxy: ${one('https', s.https)}, ${one('http', s.http)}; ${exempt}; AWS metadata addresses direct`;
}
