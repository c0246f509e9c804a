import type { ModelOptions } from '../../config/types.js';
import type { RawMembers } from '../../text/json-members.js';

/**
 * Kong's `model.options` overrides: configured max_tokens / temperature / top_p / top_k replace the
 * request's values. Unlike Kong, whose answer to the resulting 400 is "raise max_tokens by hand", an
 * override that would make the upstream reject the body is skipped instead:
 * - max_tokens at or below `thinking.budget_tokens` (Claude Code 2.1.330 sends 31999/32000; Kong's
 *   Claude Code example sets 8192) → the request keeps its own max_tokens;
 * - with thinking on, temperature and top_k can't be changed and top_p must stay within [0.95, 1];
 * - a configured temperature removes the client's top_p and vice versa (not both on current models).
 * Returns the names of skipped overrides.
 */
export function applyOptions(members: RawMembers, options: ModelOptions | undefined): string[] {
  const skipped: string[] = [];
  if (options === undefined) return skipped;
  const thinking = parseThinking(members.get('thinking'));

  if (options.max_tokens !== undefined) {
    if (thinking.budget !== undefined && options.max_tokens <= thinking.budget) skipped.push('max_tokens');
    else members.set('max_tokens', String(options.max_tokens));
  }
  for (const name of ['temperature', 'top_k'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (thinking.on) skipped.push(name);
    else members.set(name, JSON.stringify(value));
  }
  if (options.top_p !== undefined) {
    if (thinking.on && options.top_p < 0.95) skipped.push('top_p');
    else members.set('top_p', JSON.stringify(options.top_p));
  }
  // Current Claude models take temperature or top_p, not both: the configured one wins over the client's.
  const setTemperature = options.temperature !== undefined && !skipped.includes('temperature');
  const setTopP = options.top_p !== undefined && !skipped.includes('top_p');
  if (setTemperature && !setTopP) members.delete('top_p');
  if (setTopP && !setTemperature) members.delete('temperature');
  return skipped;
}

export interface ThinkingInfo {
  on: boolean;
  budget: number | undefined;
}

export function parseThinking(raw: string | undefined): ThinkingInfo {
  if (raw === undefined) return { on: false, budget: undefined };
  const thinking = JSON.parse(raw) as unknown;
  if (typeof thinking !== 'object' || thinking === null) return { on: false, budget: undefined };
  const { type, budget_tokens: budget } = thinking as { type?: unknown; budget_tokens?: unknown };
  const on = type === 'enabled' || type === 'adaptive';
  return { on, budget: on && typeof budget === 'number' ? budget : undefined };
}
