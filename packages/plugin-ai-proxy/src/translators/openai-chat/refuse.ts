/**
 * What every pair from the OpenAI Chat Completions format does with a request field, as data (each pair's
 * fields.ts has its table; docs/plugins/ai-proxy.md's tables are checked against them). A field is mapped,
 * dropped (harmless to leave out), or refused with a 400 naming it when the client would expect an effect gw
 * can't give. Anything else gets OpenAI's own answer: `Unrecognized request argument supplied`.
 */
import { GatewayError } from '@gw/plugin-api';

export type FieldAction = 'mapped' | 'dropped' | 'refused';

export interface FieldPolicy {
  action: FieldAction;
  /** For `refused`: the values that are still fine (defaults, no-ops); anything else is refused. */
  allows?: (value: unknown) => boolean;
  /** Why, for the error message and the docs. */
  reason: string;
}

export const unset = (value: unknown): boolean => value === undefined || value === null;
export const zero = (value: unknown): boolean => unset(value) || value === 0;

/** Refuse what the pair can't do: an unknown field as OpenAI would, a refused one naming why. */
export function checkFieldsAgainst(table: Readonly<Record<string, FieldPolicy>>, fields: ReadonlyMap<string, unknown>, raw: ReadonlyMap<string, string>): void {
  for (const name of raw.keys()) {
    const policy = table[name];
    if (policy === undefined) throw new GatewayError('GW_ERR_AI_UNKNOWN_FIELD', { params: { field: name }, param: name });
    if (policy.action === 'refused' && !policy.allows!(fields.get(name))) {
      throw new GatewayError('GW_ERR_AI_UNSUPPORTED_FIELD', { params: { field: name, reason: policy.reason }, param: name });
    }
  }
}

export function unsupported(field: string, reason: string): GatewayError {
  return new GatewayError('GW_ERR_AI_UNSUPPORTED_FIELD', { params: { field, reason }, param: field });
}
