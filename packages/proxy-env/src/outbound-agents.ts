/**
 * Agents for HTTP clients other than gw's upstream call: credential endpoints (STS, SSO), exporters.
 * Each new connection goes through the proxy the settings name for its target (NO_PROXY and the AWS
 * metadata addresses go direct); open connections, direct or tunnelled, are pooled by target as usual.
 * Pass them where a client takes agents: the AWS SDK's `new NodeHttpHandler({ httpAgent, httpsAgent })`,
 * an OpenTelemetry exporter's `httpAgentOptions: () => agent`, `http.request({ agent })`.
 * http:// targets are tunnelled with CONNECT here (a client library writes origin-form requests); gw's
 * upstream call forwards them in absolute form instead (core/src/proxy).
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { createHttpTunnelAgent, createTunnelAgent, type ProxyAgentOptions } from './agents.js';
import { proxyFor, readProxyEnv, type ProxyServer, type ProxySettings } from './settings.js';

export interface OutboundAgents {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** The agent for one URL's scheme (for clients that take a single agent). */
  agentFor(url: string | URL): http.Agent;
  destroy(): void;
}

type Callback = (err: Error | null, stream: Duplex) => void;

const KEEP_ALIVE = { keepAlive: true, maxFreeSockets: 16, scheduling: 'lifo' as const };

export function createOutboundAgents(settings: ProxySettings | undefined, options: https.AgentOptions & ProxyAgentOptions = {}): OutboundAgents {
  const { connectTimeoutMs, ...agentOptions } = options;
  const common = { ...KEEP_ALIVE, ...agentOptions };
  // The tunnels only open connections; the routing agents below pool them.
  const tunnel = settings?.https && createTunnelAgent(settings.https, { ...common, connectTimeoutMs });
  const httpTunnel = settings?.http && createHttpTunnelAgent(settings.http, { ...common, connectTimeoutMs });
  const via = (scheme: 'http' | 'https', o: http.ClientRequestArgs): ProxyServer | undefined =>
    settings === undefined ? undefined : proxyFor(settings, scheme, o.hostname ?? o.host ?? 'localhost', Number(o.port ?? (scheme === 'https' ? 443 : 80)));

  const httpsAgent = new (class RoutingHttpsAgent extends https.Agent {
    override createConnection(o: https.RequestOptions, callback?: Callback): Duplex | null | undefined {
      if (tunnel === undefined || via('https', o) === undefined) return super.createConnection(o, callback);
      return tunnel.createConnection(o, callback);
    }
  })(common);
  const httpAgent = new (class RoutingHttpAgent extends http.Agent {
    override createConnection(o: http.ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      if (httpTunnel === undefined || via('http', o) === undefined) return super.createConnection(o, callback);
      return httpTunnel.createConnection(o, callback);
    }
  })(common);

  return {
    httpAgent,
    httpsAgent,
    agentFor(url) {
      return new URL(url).protocol === 'https:' ? httpsAgent : httpAgent;
    },
    destroy() {
      httpsAgent.destroy();
      httpAgent.destroy();
      tunnel?.destroy();
      httpTunnel?.destroy();
    },
  };
}

let processAgents: OutboundAgents | undefined;

/**
 * The process's outbound agents, from `process.env` read on first use (the environment of a running
 * process does not change). Problems in the proxy variables are `gw start`'s to report: here an
 * unusable variable is left out.
 */
export function outboundAgents(): OutboundAgents {
  processAgents ??= createOutboundAgents(readProxyEnv(process.env).settings);
  return processAgents;
}
