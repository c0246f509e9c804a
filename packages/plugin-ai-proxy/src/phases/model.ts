import { GatewayError } from '@gw/plugin-api';
import { globToRegExp } from '../shared/glob.js';

/**
 * Which model the upstream gets (docs/decisions/0004-model-aliases.md):
 * 1. the client sent no model → `model.name` (none either → GW_ERR_AI_NO_MODEL);
 * 2. the client's model equals `model.name` → it;
 * 3. `model_aliases`: an exact key first, then the longest matching glob → its value, or `reject`;
 * 4. no alias matched: `model.name` set → GW_ERR_AI_MODEL_MISMATCH (Kong's "cannot use own model");
 *    unset → the client's model as sent (Kong).
 * When `model_aliases` is not configured at all, the default `{"claude-*": <model.name>}` applies, so
 * Claude Code's side calls with first-party ids (claude-haiku-4-5-20251001, …) reach the configured model.
 */

export const REJECT = 'reject';

export interface AliasRule {
  pattern: string;
  target: string;
  /** Compiled glob; undefined for an exact id. */
  glob: RegExp | undefined;
}

/** Compile `model_aliases` once per configured instance. */
export function compileAliases(aliases: Record<string, string> | undefined, modelName: string | undefined): AliasRule[] {
  const source = aliases ?? (modelName === undefined ? {} : { 'claude-*': modelName });
  return Object.entries(source)
    .map(([pattern, target]) => ({ pattern, target, glob: pattern.includes('*') ? globToRegExp(pattern) : undefined }))
    // Exact ids first, then longer (more specific) globs.
    .sort((a, b) => Number(a.glob !== undefined) - Number(b.glob !== undefined) || b.pattern.length - a.pattern.length);
}

export function resolveModel(clientModel: string | undefined, modelName: string | undefined, rules: readonly AliasRule[]): string {
  if (clientModel === undefined || clientModel === '') {
    if (modelName === undefined) throw new GatewayError('GW_ERR_AI_NO_MODEL');
    return modelName;
  }
  if (clientModel === modelName) return modelName;
  const rule = rules.find((candidate) => (candidate.glob === undefined ? candidate.pattern === clientModel : candidate.glob.test(clientModel)));
  if (rule !== undefined && rule.target !== REJECT) return rule.target;
  if (modelName !== undefined) throw new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { params: { model: modelName } });
  if (rule !== undefined) {
    throw new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { message: `model '${clientModel}' is not allowed on this route` });
  }
  return clientModel;
}
