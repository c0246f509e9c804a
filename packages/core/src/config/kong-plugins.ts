/**
 * What gw knows about Kong's plugin catalogue, so a plugin gw does not have gets a precise message
 * (Enterprise-only, or a Kong plugin gw doesn't bundle) instead of "unknown plugin".
 */

/** Kong Enterprise / Konnect plugins (closed source); gw will not implement these. */
export const ENTERPRISE_PLUGINS = new Set([
  'openid-connect', 'ai-proxy-advanced', 'ai-rate-limiting-advanced', 'ai-semantic-cache', 'ai-semantic-prompt-guard',
  'ai-semantic-response-guard', 'ai-azure-content-safety', 'ai-aws-guardrails', 'ai-gcp-model-armor', 'ai-rag-injector',
  'ai-sanitizer', 'ai-prompt-compressor', 'ai-llm-as-judge', 'ai-mcp-proxy', 'ai-mcp-oauth2', 'ai-lakera-guard',
  'ai-custom-guardrail', 'ai-a2a-proxy', 'rate-limiting-advanced', 'request-transformer-advanced',
  'response-transformer-advanced', 'request-validator', 'key-auth-enc', 'jwt-signer', 'oauth2-introspection',
  'ldap-auth-advanced', 'mtls-auth', 'opa', 'canary', 'forward-proxy', 'graphql-proxy-cache-advanced',
  'graphql-rate-limiting-advanced', 'proxy-cache-advanced', 'route-transformer-advanced', 'route-by-header',
  'exit-transformer', 'kafka-log', 'kafka-upstream', 'kafka-consume', 'confluent', 'degraphql', 'jq',
  'json-threat-protection', 'xml-threat-protection', 'websocket-size-limit', 'websocket-validator', 'saml',
  'vault-auth', 'tls-handshake-modifier', 'tls-metadata-headers', 'upstream-oauth', 'upstream-timeout', 'app-dynamics',
  'oas-validation', 'injection-protection', 'request-callout', 'service-protection', 'header-cert-auth',
  'statsd-advanced', 'datakit', 'solace-upstream', 'solace-consume', 'solace-log', 'konnect-application-auth',
  'application-registration', 'mocking', 'ai-model-selector',
]);

/** Plugins bundled with open-source Kong 3.10. */
export const KONG_OSS_PLUGINS = new Set([
  'acl', 'acme', 'ai-prompt-decorator', 'ai-prompt-guard', 'ai-prompt-template', 'ai-proxy', 'ai-request-transformer',
  'ai-response-transformer', 'aws-lambda', 'azure-functions', 'basic-auth', 'bot-detection', 'correlation-id', 'cors',
  'datadog', 'file-log', 'grpc-gateway', 'grpc-web', 'hmac-auth', 'http-log', 'ip-restriction', 'jwt', 'key-auth',
  'ldap-auth', 'loggly', 'oauth2', 'opentelemetry', 'post-function', 'pre-function', 'prometheus', 'proxy-cache',
  'rate-limiting', 'redirect', 'request-size-limiting', 'request-termination', 'request-transformer',
  'response-ratelimiting', 'response-transformer', 'session', 'standard-webhooks', 'statsd', 'syslog', 'tcp-log',
  'udp-log', 'zipkin',
]);

/** Kong's generic default plugin `protocols` (typedefs.protocols); a plugin may declare its own. */
export const KONG_DEFAULT_PLUGIN_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'] as const;

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate within a typo's distance, if any. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
