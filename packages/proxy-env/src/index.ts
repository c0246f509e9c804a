// Proxy settings from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), read once
export { readProxyEnv, parseProxyUrl, proxyFor, describeProxySettings, AWS_METADATA_HOSTS, type ProxyEnv, type ProxyServer, type ProxySettings } from './settings.js';
export { parseNoProxy, matchesNoProxy, type NoProxy } from './no-proxy.js';
// Keep-alive agents through a proxy
export { createTunnelAgent, createHttpTunnelAgent, createForwardAgent, forwardHead, DEFAULT_PROXY_CONNECT_TIMEOUT_MS, type ProxyAgentOptions } from './agents.js';
export { ProxyFailure, type ProxyFailureReason } from './proxy-failure.js';
// For any other HTTP client of the process (credential endpoints, exporters)
export { createOutboundAgents, outboundAgents, type OutboundAgents } from './outbound-agents.js';
