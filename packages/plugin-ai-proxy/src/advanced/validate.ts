import type { ConfigIssue } from '@gw/plugin-api';
import { validate as validateAiProxy } from '../config/validate.js';
import { advancedConfigSchema } from './schema.js';
import { TARGET_FIELDS, targetConfig, type AdvancedConfig, type BalancerConfig } from './config.js';

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * ai-proxy-advanced's entity checks: each target is checked as the ai-proxy config it amounts to (the
 * same pairs, providers and options; issues point into `targets[i]`, or at the plugin's own field),
 * then what gw does not have is refused by name, and balancer fields the algorithm does not read are
 * warned about.
 */
export function validateAdvanced(config: AdvancedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  (config.targets ?? []).forEach((target, i) => {
    for (const issue of validateAiProxy(targetConfig(config, target))) {
      const head = issue.path.split('.')[0]!;
      const path = TARGET_FIELDS.has(head) ? `targets[${i}].${issue.path}` : issue.path;
      // A problem with a plugin-level field (llm_format, …) is said once, not once per target.
      const key = `${path}\u0000${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ ...issue, path });
    }
  });
  (config.targets ?? []).forEach((target, i) => {
    if (target.metadata !== undefined && target.metadata !== null && Object.keys(target.metadata).length > 0) {
      issues.push({ path: `targets[${i}].metadata`, severity: 'warning', message: 'is for internal use by Kong (its docs say so); gw does not read it' });
    }
  });
  for (const field of ['embeddings', 'vectordb'] as const) {
    if (isSet(config[field])) issues.push({ path: field, message: `'${field}' is not supported by gw: it serves semantic routing, which gw does not have (remove it)` });
  }
  if (isSet(config.acls)) issues.push({ path: 'acls', message: "'acls' is not supported yet by gw; guard the route with key-auth and consumer-scoped plugins instead" });
  issues.push(...balancerIssues(config.balancer));
  return issues;
}

/** The algorithms that read each balancer field; the others ignore it (Kong does too), so gw says so. */
const READ_BY: Partial<Record<keyof BalancerConfig, readonly string[]>> = {
  tokens_count_strategy: ['lowest-usage'],
  latency_strategy: ['lowest-latency'],
  hash_on_header: ['consistent-hashing'],
  slots: ['consistent-hashing'],
};

/** Statuses come after the request was sent: a POST fails over on them only with non_idempotent (nginx's proxy_next_upstream). */
const AFTER_SENDING = ['http_403', 'http_404', 'http_429', 'http_500', 'http_502', 'http_503', 'http_504'];

function balancerIssues(balancer: BalancerConfig | undefined): ConfigIssue[] {
  if (balancer === undefined) return [];
  const issues: ConfigIssue[] = [];
  if (balancer.algorithm === 'semantic') {
    issues.push({ path: 'balancer.algorithm', message: "algorithm 'semantic' is not supported by gw (it needs embeddings and a vector database); supported: round-robin, priority, lowest-latency, lowest-usage, least-connections, consistent-hashing" });
  }
  if (balancer.algorithm === 'lowest-usage' && balancer.tokens_count_strategy === 'llm-accuracy') {
    issues.push({ path: 'balancer.tokens_count_strategy', message: "tokens_count_strategy 'llm-accuracy' is not supported by gw (supported: total-tokens, prompt-tokens, completion-tokens, cost)" });
  }
  const defaults = (advancedConfigSchema as { properties: { balancer: { properties: Record<string, { default?: unknown }> } } }).properties.balancer.properties;
  for (const [field, readers] of Object.entries(READ_BY) as [keyof BalancerConfig, readonly string[]][]) {
    if (readers.includes(balancer.algorithm) || balancer[field] === undefined || balancer[field] === defaults[field]?.default) continue;
    issues.push({ path: `balancer.${field}`, severity: 'warning', message: `is read only by algorithm ${readers.join(', ')}, not by '${balancer.algorithm}'` });
  }
  const criteria = balancer.failover_criteria ?? [];
  const sentOnly = criteria.filter((c) => AFTER_SENDING.includes(c));
  if (sentOnly.length > 0 && !criteria.includes('non_idempotent')) {
    issues.push({
      path: 'balancer.failover_criteria',
      severity: 'warning',
      message: `${sentOnly.join(', ')} never fail a POST over: LLM calls are POST requests, which (as in Kong and nginx's proxy_next_upstream) go to the next target after being sent only when 'non_idempotent' is listed too; add it to fail over on them (with max_fails they count towards the circuit breaker either way)`,
    });
  }
  return issues;
}
