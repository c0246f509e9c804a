/**
 * The limits of one instance as rules, and which of them a request falls under. `llm_providers`: a rule
 * per provider and window, for AI calls to that provider, counted per `identifier`. `policies` (Kong
 * 3.14): a rule per policy and window for requests matching all of the policy's conditions (a policy
 * without conditions is the fallback for requests no other policy matches), counted once per policy,
 * split by the conditions marked `partition_by`.
 */
import { BlockList, isIP } from 'node:net';
import type { AiCall, RequestContext } from '@gw/plugin-api';
import type { WindowType } from '@gw/rate-limits';
import type { AiRateLimitingConfig, MatchCondition, TokensStrategy } from './config.js';

export interface Rule {
  /** The provider, or `policy-<n>` (1-based): header and log names, and part of the counter key. */
  name: string;
  limit: number;
  /** Seconds. */
  windowSize: number;
  windowType: WindowType;
  strategy: TokensStrategy;
  /** llm_providers: the provider the rule is for. */
  provider?: string;
  /** policies: the policy's conditions (none: the fallback) and their compiled IP lists. */
  conditions?: readonly CompiledCondition[];
  /** Worked out once: `<window>-<name>` (headers, log), the header names, the limit as a header value. */
  label: string;
  limitHeader: string;
  remainingHeader: string;
  limitText: string;
}

function rule(r: Omit<Rule, 'label' | 'limitHeader' | 'remainingHeader' | 'limitText'>): Rule {
  const label = `${r.windowSize}-${r.name}`;
  const limitText = r.strategy === 'cost' ? String(r.limit) : String(Math.floor(r.limit));
  return { ...r, label, limitHeader: `x-ai-ratelimit-limit-${label}`, remainingHeader: `x-ai-ratelimit-remaining-${label}`, limitText };
}

interface CompiledCondition extends MatchCondition {
  ips?: BlockList;
}

export function compileRules(config: AiRateLimitingConfig): Rule[] {
  const rules: Rule[] = [];
  for (const p of config.llm_providers ?? []) {
    p.limit.forEach((limit, i) => {
      rules.push(rule({ name: p.name, limit, windowSize: p.window_size[i], windowType: config.window_type, strategy: config.tokens_count_strategy, provider: p.name }));
    });
  }
  (config.policies ?? []).forEach((policy, i) => {
    const conditions = (policy.match ?? []).map(compileCondition);
    for (const l of policy.limits) {
      rules.push(rule({ name: `policy-${i + 1}`, limit: l.limit, windowSize: l.window_size, windowType: policy.window_type, strategy: l.tokens_count_strategy, conditions }));
    }
  });
  return rules;
}

function compileCondition(m: MatchCondition): CompiledCondition {
  if (m.type !== 'ip' || !m.values?.length) return m;
  const ips = new BlockList();
  for (const v of m.values) {
    const [address, bits] = v.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) ips.addAddress(address, family);
    else ips.addSubnet(address, Number(bits), family);
  }
  return { ...m, ips };
}

/** A rule that applies to this request, and the part of its counter key that says whose count it is. */
export interface Applied {
  rule: Rule;
  /** The identifier (llm_providers) or the partition values (policies). */
  who: string;
}

/** The rules the request falls under, given the AI call ai-proxy published. */
export function applicable(rules: readonly Rule[], ctx: RequestContext, call: AiCall, identifier: () => string): Applied[] {
  const out: Applied[] = [];
  const fallback: Applied[] = [];
  let policyMatched = false;
  for (const rule of rules) {
    if (rule.provider !== undefined) {
      if (rule.provider === call.provider) out.push({ rule, who: identifier() });
      continue;
    }
    const conditions = rule.conditions!;
    if (conditions.length === 0) {
      fallback.push({ rule, who: '*' });
      continue;
    }
    const parts: string[] = [];
    if (conditions.every((c) => matches(c, ctx, call, parts))) {
      policyMatched = true;
      out.push({ rule, who: parts.length === 0 ? '*' : parts.join('|') });
    }
  }
  return policyMatched ? out : out.concat(fallback);
}

/** Whether the condition holds; a partition_by condition adds the value it matched to `parts`. */
function matches(c: CompiledCondition, ctx: RequestContext, call: AiCall, parts: string[]): boolean {
  const found = valueOf(c, ctx, call);
  if (found === undefined) return false;
  if (c.values?.length && !found.some((v) => (c.ips !== undefined ? inList(c.ips, v) : c.values!.includes(v)))) return false;
  if (c.partition_by) {
    const value = c.values?.length ? found.find((v) => (c.ips !== undefined ? inList(c.ips, v) : c.values!.includes(v)))! : found[0];
    parts.push(`${c.type}=${value}`);
  }
  return true;
}

/** The request's values for a condition (a consumer may be in several groups); undefined when it has none. */
function valueOf(c: MatchCondition, ctx: RequestContext, call: AiCall): string[] | undefined {
  const one = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? undefined : [v]);
  switch (c.type) {
    case 'consumer': {
      const consumer = ctx.consumer;
      if (consumer === null) return undefined;
      return one(c.key === 'username' ? consumer.username : c.key === 'custom_id' ? consumer.custom_id : consumer.id);
    }
    case 'consumer_group': {
      const groups = ctx.consumerGroups.map((g) => (c.key === 'name' ? g.name : g.id));
      return groups.length === 0 ? undefined : groups;
    }
    case 'header': {
      const v = ctx.request.headers[(c.key ?? '').toLowerCase()];
      return one(Array.isArray(v) ? v[0] : v);
    }
    case 'ip':
      return one(ctx.request.clientIp);
    case 'path':
      return one(ctx.request.path);
    case 'model':
      // Kong: the limits apply to the model the client asked for.
      return one(call.clientModel ?? call.model);
    case 'provider':
      return one(call.provider);
  }
}

function inList(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
