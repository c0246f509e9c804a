/** Keep-alive connection pools to upstreams: one per scheme, shared by all routes of a gateway. */
import http from 'node:http';
import https from 'node:https';

export interface Agents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

export function createAgents(options: { maxSockets?: number } = {}): Agents {
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(common), https: new https.Agent(common) };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
