/** Keep-alive connection pools to upstreams: one per scheme, shared by all routes of a gateway. */
import http from 'node:http';
import https from 'node:https';

export interface Agents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

export function createAgents(options: { maxSockets?: number } = {}): Agents {
  // No cap on open sockets per upstream (as nginx): a cap would queue stream 257 to Bedrock behind
  // minutes-long streams, with no timeout running. Idle sockets kept for reuse are bounded.
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(common), https: new https.Agent(common) };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
