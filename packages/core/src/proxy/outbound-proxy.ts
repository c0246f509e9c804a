/**
 * Upstream calls through the proxy the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY: @gw/proxy-env,
 * docs/configuration.md). https upstreams go through CONNECT tunnels, one tunnel agent per upstream TLS
 * setting (upstream-tls.ts) so a service's client certificate, CAs and verify depth apply to the origin's
 * TLS session inside the tunnel; pooled sockets are open tunnels, reused without a new CONNECT. http
 * upstreams are sent to the proxy in absolute form (as curl and the AWS CLI do). Whether a target goes
 * through the proxy is decided once per host and port, not per request; without settings none of this
 * exists and the upstream call is unchanged (agents.ts).
 */
import http from 'node:http';
import type https from 'node:https';
import { createForwardAgent, createTunnelAgent, proxyFor, type ProxyServer, type ProxySettings } from '@gw/proxy-env';
import type { UpstreamTls } from '../config/model.js';
import { createTlsAgents } from './upstream-tls.js';

export interface ProxyRoute {
  agent: http.Agent;
  /** For an http upstream: the proxy to address in absolute form (Proxy-Authorization from it). */
  forward: ProxyServer | undefined;
}

export type RouteLookup = (isHttps: boolean, host: string, port: number, tls: UpstreamTls | undefined) => ProxyRoute | undefined;

// Targets come from the config and plugins (ai-proxy's region endpoints): a handful. The bound only
// keeps a plugin that makes up host names from growing the map without end.
const MAX_DECISIONS = 1024;

export function createProxyRoutes(settings: ProxySettings, common: http.AgentOptions): { route: RouteLookup; destroy(): void } {
  const tunnelTo = settings.https;
  const tunnel = tunnelTo === undefined ? undefined : createTunnelAgent(tunnelTo, common);
  const tunnels = tunnel === undefined ? undefined : createTlsAgents(tunnel, (tls: https.AgentOptions) => createTunnelAgent(tunnelTo!, { ...common, ...tls }));
  const forwardTo = settings.http;
  const forward: ProxyRoute | undefined = forwardTo === undefined ? undefined : { agent: createForwardAgent(forwardTo, common), forward: forwardTo };

  // host:port → goes through the proxy; one map per scheme.
  const decided = { https: new Map<string, boolean>(), http: new Map<string, boolean>() };
  const viaProxy = (scheme: 'https' | 'http', host: string, port: number): boolean => {
    const map = decided[scheme];
    const key = `${host}:${port}`;
    let via = map.get(key);
    if (via === undefined) {
      via = proxyFor(settings, scheme, host, port) !== undefined;
      if (map.size >= MAX_DECISIONS) map.clear();
      map.set(key, via);
    }
    return via;
  };

  return {
    route(isHttps, host, port, tls) {
      if (isHttps) return tunnels !== undefined && viaProxy('https', host, port) ? { agent: tunnels.get(tls), forward: undefined } : undefined;
      return forward !== undefined && viaProxy('http', host, port) ? forward : undefined;
    },
    destroy() {
      tunnel?.destroy();
      tunnels?.destroy();
      forward?.agent.destroy();
    },
  };
}
