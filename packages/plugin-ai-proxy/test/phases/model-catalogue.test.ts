/**
 * Model resolution through the catalogue (phases/model.ts with the backends' catalogue views): a route
 * without `model.name` maps first-party ids to the region's inference profiles, passes Bedrock's own ids,
 * refuses unverified and unknown ids naming what it serves; `model_aliases` overrides and restricts.
 * Expected ids are read off packages/model-catalogue/data/catalogue.json (checked 2026-12-06) by hand.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { compileAliases, resolveModel, servedModels, type RouteModels } from '../../src/phases/model.js';
import { bedrockModels, isBedrockId } from '../../src/backends/bedrock/models.js';
import { anthropicModels } from '../../src/backends/anthropic/models.js';
import type { UpstreamModels } from '../../src/models/upstream-models.js';

const unpinned = (aliases?: Record<string, string>): RouteModels => ({ pinned: undefined, aliases: compileAliases(aliases, undefined) });
const pinned = (name: string, aliases?: Record<string, string>): RouteModels => ({ pinned: name, aliases: compileAliases(aliases, name) });
const upstreamId = (client: string, route: RouteModels, upstream: UpstreamModels) => resolveModel(client, route, upstream).model;

function refusal(client: string, route: RouteModels, upstream: UpstreamModels): GatewayError {
  try {
    resolveModel(client, route, upstream);
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error(`${client} was not refused`);
}

describe('a Bedrock route without model.name', () => {
  const us = bedrockModels('us-east-1');

  it("maps Claude Code's first-party ids and aliases to the us. inference profiles", () => {
    expect(upstreamId('claude-sonnet-4-5-20250929', unpinned(), us)).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-sonnet-4-5', unpinned(), us)).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-haiku-4-5-20251001', unpinned(), us)).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(upstreamId('claude-opus-4-1-20250805', unpinned(), us)).toBe('us.anthropic.claude-opus-4-1-20250805-v1:0');
    expect(upstreamId('claude-opus-4-1', unpinned(), us)).toBe('us.anthropic.claude-opus-4-1-20250805-v1:0');
    expect(upstreamId('claude-opus-4-6', unpinned(), us)).toBe('us.anthropic.claude-opus-4-6-v1');
    expect(resolveModel('claude-haiku-4-5', unpinned(), us).via).toBe('catalogue');
  });

  it("uses the region's geography, the narrower one first, else the base id in-region", () => {
    const route = unpinned();
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('eu-west-1'))).toBe('eu.anthropic.claude-sonnet-4-5-20250929-v1:0');
    // Opus 4.1 has only a us. profile: from Ireland, the base id.
    expect(upstreamId('claude-opus-4-1', route, bedrockModels('eu-west-1'))).toBe('anthropic.claude-opus-4-1-20250805-v1:0');
    // Tokyo is in jp and apac: jp. where the model has it, apac. otherwise.
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('ap-northeast-1'))).toBe('jp.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-sonnet-4-0', route, bedrockModels('ap-northeast-1'))).toBe('apac.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(upstreamId('claude-haiku-4-5', route, bedrockModels('ap-southeast-2'))).toBe('au.anthropic.claude-haiku-4-5-20251001-v1:0');
    // London is no source region of the eu. profiles.
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('eu-west-2'))).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it('uses global. only when inference_profile asks for it', () => {
    const route = unpinned();
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('eu-west-1', 'global'))).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    // No global profile for Opus 4.1: the geography's.
    expect(upstreamId('claude-opus-4-1', route, bedrockModels('us-east-1', 'global'))).toBe('us.anthropic.claude-opus-4-1-20250805-v1:0');
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('sa-east-1', 'geography'))).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('sa-east-1', 'geography_then_global'))).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('us-east-1', 'geography_then_global'))).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(upstreamId('claude-sonnet-4-5', route, bedrockModels('us-east-1', 'none'))).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it("passes Bedrock's own ids, inference profiles and ARNs through as sent", () => {
    for (const id of [
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'us.anthropic.claude-opus-5-5',
      'amazon.nova-pro-v1:0',
      'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0',
    ]) {
      expect(resolveModel(id, unpinned(), us)).toEqual({ model: id, via: 'native' });
    }
    expect(isBedrockId('claude-sonnet-4-5')).toBe(false);
    expect(isBedrockId('gpt-4o')).toBe(false);
  });

  it('refuses a model whose Bedrock id is unverified, saying how to map it anyway', () => {
    const error = refusal('claude-sonnet-5-5', unpinned(), us);
    expect(error.code).toBe('GW_ERR_AI_MODEL_UNVERIFIED');
    expect(error.status).toBe(400);
    expect(error.anthropicType).toBe('invalid_request_error');
    expect(error.message).toBe(
      "model 'claude-sonnet-5-5' maps to anthropic.claude-sonnet-5-5, an id no AWS or Anthropic page confirms (unverified in gw's model catalogue); " +
        'to call it anyway, map it in model_aliases: "claude-sonnet-5-5": "anthropic.claude-sonnet-5-5"',
    );
    // Doing what the message says works.
    expect(upstreamId('claude-sonnet-5-5', unpinned({ 'claude-sonnet-5-5': 'anthropic.claude-sonnet-5-5' }), us)).toBe('anthropic.claude-sonnet-5-5');
  });

  it("maps Opus 5.5 to the us. profile Claude Code's own Bedrock mode calls", () => {
    expect(upstreamId('claude-opus-5-5', unpinned(), us)).toBe('us.anthropic.claude-opus-5-5');
  });

  it('answers an unknown id with 400 naming it and every id the route serves', () => {
    const error = refusal('gpt-4o', unpinned(), us);
    expect(error.code).toBe('GW_ERR_AI_MODEL_NOT_SERVED');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "model 'gpt-4o' is not served by this route; it serves: claude-opus-5-5, claude-opus-4-6, claude-opus-4-5-20251101, claude-opus-4-1-20250805, " +
        'claude-opus-4-20250514, claude-sonnet-4-6, claude-sonnet-4-5-20250929, claude-sonnet-4-20250514, claude-3-7-sonnet-20250219, ' +
        'claude-haiku-4-5-20251001, claude-3-5-haiku-20241022, and Bedrock model ids, inference profile ids and ARNs',
    );
    const noBedrock = refusal('claude-fable-5-1', unpinned(), us);
    expect(noBedrock.code).toBe('GW_ERR_AI_MODEL_NOT_SERVED');
    expect(noBedrock.message).toMatch(/^model 'claude-fable-5-1' is not served by this route \(gw's model catalogue has no Bedrock id for claude-fable-5-1\); it serves: claude-opus-5-5, claude-opus-4-6, /);
    expect(refusal('x'.repeat(5000), unpinned(), us).message.length).toBeLessThan(1000);
  });

  it('still needs a model from somewhere', () => {
    expect(refusal('', unpinned(), us).code).toBe('GW_ERR_AI_NO_MODEL');
  });
});

describe('model_aliases with the catalogue', () => {
  const us = bedrockModels('us-east-1');

  it('restricts what a route serves: reject globs, or an allowlist of catalogue globs and "*": reject', () => {
    const noOpus = unpinned({ 'claude-opus-*': 'reject' });
    expect(upstreamId('claude-sonnet-4-5', noOpus, us)).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(refusal('claude-opus-4-1', noOpus, us).message).toMatch(/^model 'claude-opus-4-1' is not allowed on this route; it serves: claude-sonnet-4-6, /);

    const allow = unpinned({ 'claude-sonnet-*': 'catalogue', 'claude-haiku-*': 'catalogue', '*': 'reject' });
    expect(upstreamId('claude-haiku-4-5-20251001', allow, us)).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    const refused = refusal('claude-opus-4-1-20250805', allow, us);
    expect(refused.code).toBe('GW_ERR_AI_MODEL_MISMATCH');
    // Sonnet 5 and 5.5 and Haiku 5.5 are unverified on Bedrock; 3.x ids don't match the globs; Bedrock ids are rejected by "*".
    expect(refused.message).toBe(
      "model 'claude-opus-4-1-20250805' is not allowed on this route; it serves: claude-sonnet-4-6, claude-sonnet-4-5-20250929, claude-sonnet-4-20250514, claude-haiku-4-5-20251001",
    );
    expect(refusal('us.anthropic.claude-opus-4-1-20250805-v1:0', allow, us).code).toBe('GW_ERR_AI_MODEL_MISMATCH');
  });

  it('overrides a mapping, and sends a pinned route\'s Haiku side calls through the catalogue with "catalogue"', () => {
    const override = unpinned({ 'claude-sonnet-4-5*': 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(resolveModel('claude-sonnet-4-5', override, us)).toEqual({ model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', via: 'alias' });
    const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const route = pinned(SONNET, { 'claude-haiku-*': 'catalogue', 'claude-*': SONNET });
    expect(upstreamId('claude-haiku-4-5-20251001', route, us)).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(upstreamId('claude-opus-4-1', route, us)).toBe(SONNET);
    expect(upstreamId(SONNET, route, us)).toBe(SONNET);
  });

  it("keeps Kong's pinning: with model.name set, the catalogue maps nothing by itself", () => {
    const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(upstreamId('claude-opus-4-1', pinned(HAIKU), us)).toBe(HAIKU);
    const strict = refusal('claude-opus-4-1', pinned(HAIKU, {}), us);
    expect(strict.message).toBe(`cannot use own model - must be: ${HAIKU}`);
  });
});

describe('an Anthropic route without model.name', () => {
  const anthropic = anthropicModels();

  it('sends catalogue ids and aliases as they came (the API resolves its own aliases)', () => {
    expect(resolveModel('claude-sonnet-4-5', unpinned(), anthropic)).toEqual({ model: 'claude-sonnet-4-5', via: 'catalogue' });
    expect(upstreamId('claude-opus-5-5', unpinned(), anthropic)).toBe('claude-opus-5-5');
  });

  it('answers an id the catalogue does not know with 400, without Bedrock ids in the list', () => {
    const error = refusal('us.anthropic.claude-haiku-4-5-20251001-v1:0', unpinned(), anthropic);
    expect(error.code).toBe('GW_ERR_AI_MODEL_NOT_SERVED');
    expect(error.message).toMatch(/^model 'us\.anthropic\.claude-haiku-4-5-20251001-v1:0' is not served by this route; it serves: claude-fable-5-1, claude-fable-5, /);
    expect(error.message).not.toContain('Bedrock');
  });
});

describe('what a route serves (the models list)', () => {
  const us = bedrockModels('us-east-1');
  const ids = (route: RouteModels, upstream: UpstreamModels) => servedModels(route, upstream).map((m) => [m.id, m.upstreamId, m.status]);

  it('an unpinned Bedrock route: the verified models, each with its profile and Bedrock lifecycle', () => {
    const served = ids(unpinned(), us);
    expect(served).toContainEqual(['claude-sonnet-4-5-20250929', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'active']);
    expect(served).toContainEqual(['claude-opus-4-20250514', 'us.anthropic.claude-opus-4-20250514-v1:0', 'retired']);
    expect(served).toContainEqual(['claude-opus-5-5', 'us.anthropic.claude-opus-5-5', 'active']);
    expect(served.map(([id]) => id)).not.toContain('claude-sonnet-5-5');
    expect(served).toHaveLength(11);
  });

  it('a pinned route lists the model it runs, not every id its claude-* default sends there', () => {
    const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(ids(pinned(HAIKU), us)).toEqual([['claude-haiku-4-5-20251001', HAIKU, 'active']]);
    // Kong-strict: only model.name itself.
    const strict = servedModels(pinned(HAIKU, {}), us);
    expect(strict.map((m) => [m.id, m.entry?.name])).toEqual([[HAIKU, 'Claude Haiku 4.5']]);
  });

  it('exact alias keys are listed under their own name, with the model they reach', () => {
    const served = servedModels(pinned('us.anthropic.claude-haiku-4-5-20251001-v1:0', { 'team-fast': 'us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-*': 'reject' }), us);
    expect(served.map((m) => [m.id, m.entry?.id])).toEqual([['team-fast', 'claude-haiku-4-5-20251001']]);
  });
});
