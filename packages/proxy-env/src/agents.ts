/**
 * Keep-alive agents whose connections go through a proxy:
 *  - tunnel agents (CONNECT host:port, then the origin's TLS inside the tunnel): hpagent
 *    (docs/decisions/0023). An https tunnel agent is an https.Agent: its own TLS options (client
 *    certificate, CAs, checkServerIdentity) and each request's (servername, rejectUnauthorized) apply to
 *    the origin's TLS session, never to the proxy's. A pooled socket is a tunnel already open: the next
 *    request on it sends no CONNECT.
 *  - a forward agent for http:// targets (what curl and the AWS CLI do for them): a plain connection to
 *    the proxy, for requests the caller writes in absolute form (`GET http://host:port/path`) with
 *    `Proxy-Authorization` (`forwardHead`). Many proxies allow CONNECT only to port 443.
 * Opening the way (TCP and TLS to the proxy, CONNECT) is bounded by the request's `timeout` option, else
 * `connectTimeoutMs`; it fails with a ProxyFailure. The origin's TLS handshake is awaited before the
 * socket is handed over, so its failure is a connection failure too (nothing of the request was sent).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { HttpProxyAgent as HpHttpProxyAgent, HttpsProxyAgent as HpHttpsProxyAgent } from 'hpagent';
import { ProxyFailure, toProxyFailure } from './proxy-failure.js';
import type { ProxyServer } from './settings.js';

/** Kong's default connect_timeout: the bound when a request sets no `timeout`. */
export const DEFAULT_PROXY_CONNECT_TIMEOUT_MS = 60_000;

export interface ProxyAgentOptions {
  /** Bounds opening the way through the proxy when a request has no `timeout` option. */
  connectTimeoutMs?: number;
}

type Callback = (err: Error | null, stream: Duplex) => void;

/** hpagent takes the proxy as a URL and reads hostname and port from it: an IPv6 host without brackets. */
function hpProxy(server: ProxyServer): URL {
  const { protocol, username, password } = server.url;
  return { protocol, username, password, hostname: server.host, port: String(server.port) } as unknown as URL;
}

function timeoutOf(options: http.ClientRequestArgs, fallback: number): number {
  return typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : fallback;
}

/** An https.Agent through `server`; `options` are the origin's TLS and pool options. */
export function createTunnelAgent(server: ProxyServer, options: https.AgentOptions & ProxyAgentOptions = {}): https.Agent {
  const { connectTimeoutMs = DEFAULT_PROXY_CONNECT_TIMEOUT_MS, ...agentOptions } = options;
  return new (class TunnelAgent extends HpHttpsProxyAgent {
    override createConnection(o: https.RequestOptions, callback?: Callback): Duplex | null | undefined {
      const timeout = timeoutOf(o, connectTimeoutMs);
      const done = once(callback!);
      super.createConnection({ ...o, timeout }, (err, socket) => {
        if (err !== null) return done(toProxyFailure(server, err), socket);
        // The tunnel is open; the origin's TLS handshake runs inside it.
        awaitHandshake(socket as tls.TLSSocket, timeout, done);
      });
      return undefined;
    }
  })({ ...agentOptions, proxy: hpProxy(server) });
}

/** An http.Agent whose connections are CONNECT tunnels through `server` (for clients that write origin-form requests). */
export function createHttpTunnelAgent(server: ProxyServer, options: http.AgentOptions & ProxyAgentOptions = {}): http.Agent {
  const { connectTimeoutMs = DEFAULT_PROXY_CONNECT_TIMEOUT_MS, ...agentOptions } = options;
  return new (class HttpTunnelAgent extends HpHttpProxyAgent {
    override createConnection(o: http.ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      const done = once(callback!);
      super.createConnection({ ...o, timeout: timeoutOf(o, connectTimeoutMs) }, (err, socket) => done(err === null ? null : toProxyFailure(server, err), socket));
      return undefined;
    }
  })({ ...agentOptions, proxy: hpProxy(server) });
}

/** An http.Agent whose connections go to the proxy itself, for absolute-form requests (see forwardHead). */
export function createForwardAgent(server: ProxyServer, options: http.AgentOptions & ProxyAgentOptions = {}): http.Agent {
  const { connectTimeoutMs = DEFAULT_PROXY_CONNECT_TIMEOUT_MS, ...agentOptions } = options;
  return new (class ForwardAgent extends http.Agent {
    override createConnection(o: http.ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      const done = once(callback!);
      const socket =
        server.url.protocol === 'https:'
          ? tls.connect({ host: server.host, port: server.port, servername: net.isIP(server.host) === 0 ? server.host : undefined, ALPNProtocols: ['http/1.1'] })
          : net.connect({ host: server.host, port: server.port });
      const timer = setTimeout(() => socket.destroy(new ProxyFailure(server, 'timeout', 'ETIMEDOUT')), timeoutOf(o, connectTimeoutMs));
      const onError = (err: Error) => {
        clearTimeout(timer);
        done(toProxyFailure(server, err), socket);
      };
      socket.once('error', onError);
      socket.once(server.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        done(null, socket);
      });
      return undefined;
    }
  })(agentOptions);
}

/**
 * What a request through a forward agent needs: the absolute-form target and, when the proxy URL has
 * credentials, the Proxy-Authorization value.
 */
export function forwardHead(server: ProxyServer, host: string, port: number, pathAndQuery: string): { path: string; authorization: string | undefined } {
  const authority = net.isIPv6(host) ? `[${host}]` : host;
  return { path: `http://${authority}${port === 80 ? '' : `:${port}`}${pathAndQuery}`, authorization: server.authorization };
}

function awaitHandshake(socket: tls.TLSSocket, timeoutMs: number, done: Callback): void {
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error('TLS handshake with the upstream timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
  const onError = (err: Error) => {
    clearTimeout(timer);
    done(err, socket);
  };
  socket.once('error', onError);
  socket.once('secureConnect', () => {
    clearTimeout(timer);
    socket.off('error', onError);
    done(null, socket);
  });
}

function once(callback: Callback): Callback {
  let called = false;
  return (err, stream) => {
    if (called) return;
    called = true;
    callback(err, stream);
  };
}
