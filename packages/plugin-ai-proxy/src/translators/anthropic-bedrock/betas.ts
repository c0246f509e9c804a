import type { BetaPolicy, DependentField } from './beta-policy.js';
import type { HeaderMap } from '@gw/plugin-api';
import { globToRegExp } from '../../text/glob.js';

/** Flags from the `anthropic-beta` header(s): comma-separated, possibly repeated. */
export function headerBetas(headers: Readonly<HeaderMap>): string[] {
  const raw = headers['anthropic-beta'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.flatMap((value) => value.split(',')).map((flag) => flag.trim()).filter((flag) => flag !== '');
}

export interface BetaDecision {
  /** Flags for body `anthropic_beta`, renamed, de-duplicated, in request order. */
  forwarded: string[];
  /** Flags the client asked for that Bedrock won't get. */
  dropped: string[];
  /** Dependent fields to strip, grouped by top-level member name (shared between requests: read only). */
  strip: ReadonlyMap<string, readonly DependentField[]>;
}

/**
 * Decisions by policy, then by model and flags: a route sees the same few combinations on every request
 * (Claude Code sends one header per version), and working one out took a dozen arrays and a map.
 */
const decisions = new WeakMap<BetaPolicy, Map<string, BetaDecision>>();

/** Apply the policy to the flags the client asked for (header and body), for one upstream model. */
export function decideBetas(requested: readonly string[], policy: BetaPolicy, model: string): BetaDecision {
  let known = decisions.get(policy);
  if (known === undefined) decisions.set(policy, (known = new Map()));
  const key = JSON.stringify([model, ...requested]);
  let decision = known.get(key);
  if (decision === undefined) {
    decision = decide(requested, policy, model);
    // Bounded: flags come from clients.
    if (known.size >= 256) known.clear();
    known.set(key, decision);
  }
  // The lists go on into each request's plan and log: copies, so no request can change another's.
  return { forwarded: [...decision.forwarded], dropped: [...decision.dropped], strip: decision.strip };
}

function decide(requested: readonly string[], policy: BetaPolicy, model: string): BetaDecision {
  const forwarded: string[] = [];
  const dropped: string[] = [];
  const excluded = policy.modelExceptions.filter((rule) => rule.models.some((glob) => globToRegExp(glob).test(model))).map((rule) => rule.flag);
  for (const flag of requested) {
    const name = policy.renames[flag] ?? flag;
    if (!policy.accepted.includes(name) || excluded.includes(name)) dropped.push(flag);
    else if (!forwarded.includes(name)) forwarded.push(name);
  }
  const strip = new Map<string, DependentField[]>();
  for (const field of policy.dependentFields) {
    if (field.flags.some((flag) => forwarded.includes(flag))) continue;
    const top = topName(field.path);
    strip.set(top, [...(strip.get(top) ?? []), field]);
  }
  return { forwarded, dropped, strip };
}

/** The top-level member a dependent-field path lives in. */
export function topName(path: string): string {
  let top = topNames.get(path);
  if (top === undefined) {
    top = path.split('.')[0].replace(/\[\]$/, '');
    topNames.set(path, top);
  }
  return top;
}

// Paths come from beta policies (a handful), so both caches stay small.
const topNames = new Map<string, string>();
const fieldNames = new Map<string, string>();

/** The name a dependent field has in the JSON text (its last path segment), searched for as `"name"`. */
export function fieldName(path: string): string {
  let name = fieldNames.get(path);
  if (name === undefined) {
    name = path.split('.').at(-1) as string;
    fieldNames.set(path, name);
  }
  return name;
}

/** Every field name a policy may search members for (see fieldName), for the body scanner to look for. */
export function policyFieldNames(policy: BetaPolicy): string[] {
  const names = new Set<string>();
  for (const field of policy.dependentFields) if (field.path !== topName(field.path)) names.add(fieldName(field.path));
  return [...names];
}

/**
 * Remove `path` from `value` (the parsed top-level member named by the path's first segment).
 * Returns true when something was removed. Walks `name[]` segments over every array element.
 */
export function removeField(value: unknown, path: string): boolean {
  const segments = path.split('.');
  const first = segments[0];
  // The first segment names the top-level member itself; continue inside it.
  return first.endsWith('[]') ? removeEach(value, segments.slice(1)) : removeIn(value, segments.slice(1));
}

function removeEach(value: unknown, rest: string[]): boolean {
  if (!Array.isArray(value)) return false;
  let removed = false;
  for (const item of value) removed = removeIn(item, rest) || removed;
  return removed;
}

function removeIn(value: unknown, segments: string[]): boolean {
  if (segments.length === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const [head, ...rest] = segments;
  const record = value as Record<string, unknown>;
  if (head.endsWith('[]')) return removeEach(record[head.slice(0, -2)], rest);
  if (rest.length === 0) {
    if (!(head in record)) return false;
    delete record[head];
    return true;
  }
  return removeIn(record[head], rest);
}
