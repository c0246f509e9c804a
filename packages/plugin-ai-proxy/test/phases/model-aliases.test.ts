import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { compileAliases, resolveModel as resolve, type AliasRule } from '../../src/phases/model.js';

const CONFIGURED = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/** Aliases alone, as decision 0004 has them: no catalogue view (a backend without one). */
const resolveModel = (clientModel: string | undefined, pinned: string | undefined, aliases: AliasRule[]) => resolve(clientModel, { pinned, aliases }, undefined).model;

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('model resolution', () => {
  const defaults = compileAliases(undefined, CONFIGURED);

  it('uses the configured model when the client sends none or the same', () => {
    expect(resolveModel(undefined, CONFIGURED, defaults)).toBe(CONFIGURED);
    expect(resolveModel(CONFIGURED, CONFIGURED, defaults)).toBe(CONFIGURED);
  });

  it('maps Claude Code first-party side-call ids to the configured model by default', () => {
    expect(resolveModel('claude-haiku-4-5-20251001', CONFIGURED, defaults)).toBe(CONFIGURED);
    expect(resolveModel('claude-sonnet-4-5-20250929', CONFIGURED, defaults)).toBe(CONFIGURED);
  });

  it("rejects other ids with Kong's message", () => {
    const error = errorOf(() => resolveModel('bedrock-haiku-alias', CONFIGURED, defaults));
    expect(error.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    expect(error.message).toBe(`cannot use own model - must be: ${CONFIGURED}`);
    expect(error.status).toBe(400);
  });

  it('an explicit empty map is Kong-strict', () => {
    expect(errorOf(() => resolveModel('claude-haiku-4-5-20251001', CONFIGURED, compileAliases({}, CONFIGURED))).code).toBe('GW_ERR_AI_MODEL_MISMATCH');
  });

  it('prefers exact ids, then the longest glob; reject wins over a broader mapping', () => {
    const rules = compileAliases(
      { 'claude-*': CONFIGURED, 'claude-opus-*': 'reject', 'claude-sonnet-4-5-20250929': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'bedrock-*-alias': CONFIGURED },
      CONFIGURED,
    );
    expect(resolveModel('claude-sonnet-4-5-20250929', CONFIGURED, rules)).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(resolveModel('claude-haiku-4-5-20251001', CONFIGURED, rules)).toBe(CONFIGURED);
    expect(resolveModel('bedrock-haiku-alias', CONFIGURED, rules)).toBe(CONFIGURED);
    expect(errorOf(() => resolveModel('claude-opus-4-1', CONFIGURED, rules)).code).toBe('GW_ERR_AI_MODEL_MISMATCH');
  });

  it('treats glob metacharacters other than * literally', () => {
    const rules = compileAliases({ 'a.b*': 'x' }, undefined);
    expect(resolveModel('a.bc', undefined, rules)).toBe('x');
    expect(resolveModel('aXbc', undefined, rules)).toBe('aXbc');
  });

  it('without a configured model passes the client model through, and fails when there is none', () => {
    const none = compileAliases(undefined, undefined);
    expect(resolveModel('us.anthropic.x', undefined, none)).toBe('us.anthropic.x');
    expect(errorOf(() => resolveModel(undefined, undefined, none)).code).toBe('GW_ERR_AI_NO_MODEL');
    const error = errorOf(() => resolveModel('bad', undefined, compileAliases({ bad: 'reject' }, undefined)));
    expect(error.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    expect(error.message).toBe("model 'bad' is not allowed on this route");
  });
});
