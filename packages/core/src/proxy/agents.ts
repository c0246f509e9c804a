/**
 * Keep-alive connection pools to upstreams: one per scheme, shared by all routes of a gateway, plus one
 * https pool per distinct upstream TLS setting (a service's client certificate, CAs, verify depth), and,
 * when the environment names an outbound proxy, the pools through it (outbound-proxy.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { ProxySettings } from '@gw/proxy-env';
import type { UpstreamTls } from '../config/model.js';
import { createProxyRoutes, type RouteLookup } from './outbound-proxy.js';
import { createTlsAgents } from './upstream-tls.js';

export interface Agents {
  http: http.Agent;
  https: https.Agent;
  /** The https agent for a service's TLS setting (`undefined`: the shared one). */
  httpsFor(setting: UpstreamTls | undefined): https.Agent;
  /**
   * With an outbound proxy: the way through it for a target, or undefined to go direct. Absent without
   * one, so a gateway without a proxy pays nothing per request.
   */
  proxyRoute?: RouteLookup;
  destroy(): void;
}

export function createAgents(options: { maxSockets?: number; proxy?: ProxySettings } = {}): Agents {
  // No cap on open sockets per upstream (as nginx): a cap would queue stream 257 to Bedrock behind
  // minutes-long streams, with no timeout running. Idle sockets kept for reuse are bounded.
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(common), https: new https.Agent(common) };
  const tlsAgents = createTlsAgents(agents.https, (tls) => new https.Agent({ ...common, ...tls }));
  const proxy = options.proxy === undefined ? undefined : createProxyRoutes(options.proxy, common);
  return {
    ...agents,
    httpsFor: tlsAgents.get,
    proxyRoute: proxy?.route,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
      tlsAgents.destroy();
      proxy?.destroy();
    },
  };
}
