/** Client id → entry, region → geography → Bedrock id, and any Bedrock id or ARN back to its entry. */
import { describe, expect, it } from 'vitest';
import { bundledData, CatalogueDataError, createCatalogue, defaultCatalogue, type ModelEntry } from '@gw/model-catalogue';

const catalogue = defaultCatalogue();
const model = (id: string): ModelEntry => {
  const entry = catalogue.resolve(id);
  if (!entry) throw new Error(`${id} is not in the catalogue`);
  return entry;
};

describe('resolve', () => {
  it('finds a model by its id and by each alias, and nothing else', () => {
    expect(catalogue.resolve('claude-sonnet-4-5-20250929')?.name).toBe('Claude Sonnet 4.5');
    expect(catalogue.resolve('claude-sonnet-4-5')).toBe(catalogue.resolve('claude-sonnet-4-5-20250929'));
    expect(catalogue.resolve('claude-3-5-haiku-latest')?.id).toBe('claude-3-5-haiku-20241022');
    expect(catalogue.resolve('claude-opus-4-6')?.bedrock?.modelId).toBe('anthropic.claude-opus-4-6-v1');
    expect(catalogue.resolve('Claude-Sonnet-4-5')).toBeUndefined();
    expect(catalogue.resolve('gpt-4o')).toBeUndefined();
    expect(catalogue.resolve('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBeUndefined();
  });
});

describe('region → geography → Bedrock id', () => {
  const sonnet45 = model('claude-sonnet-4-5-20250929'); // profiles: us eu jp au global
  const sonnet4 = model('claude-sonnet-4-20250514'); // profiles: us eu apac global
  const haiku35 = model('claude-3-5-haiku-20241022'); // profile: us only

  it.each([
    ['us-east-1', sonnet45, 'us', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['us-west-2', sonnet45, 'us', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['eu-west-1', sonnet45, 'eu', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['eu-central-1', sonnet45, 'eu', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    // Tokyo and Sydney lie in two geographies: the specific one wins where the model has it…
    ['ap-northeast-1', sonnet45, 'jp', 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['ap-southeast-2', sonnet45, 'au', 'au.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    // …and apac where it does not.
    ['ap-northeast-1', sonnet4, 'apac', 'apac.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['ap-southeast-2', sonnet4, 'apac', 'apac.anthropic.claude-sonnet-4-20250514-v1:0'],
  ])('%s, %s → %s profile', (region, entry, geography, modelId) => {
    expect(catalogue.bedrockTarget(entry, region)).toMatchObject({ scope: 'geography', geography, modelId });
  });

  it('lists the geographies of a region most specific first, never global', () => {
    expect(catalogue.geographiesFor('ap-northeast-1').map((g) => g.id)).toEqual(['jp', 'apac']);
    expect(catalogue.geographiesFor('us-east-1').map((g) => g.id)).toEqual(['us']);
    expect(catalogue.geographiesFor('sa-east-1')).toEqual([]);
    expect(catalogue.geographiesFor('')).toEqual([]);
  });

  it('calls the base id in a region with no geography (sa-east-1), and where the model has no profile for it', () => {
    expect(catalogue.bedrockTarget(sonnet45, 'sa-east-1')).toMatchObject({ scope: 'in-region', modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(catalogue.bedrockTarget(sonnet45, 'eu-west-2')).toMatchObject({ scope: 'in-region', modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(catalogue.bedrockTarget(haiku35, 'eu-west-1')).toMatchObject({ scope: 'in-region', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' });
    expect(catalogue.bedrockTarget(haiku35, 'us-east-1')?.modelId).toBe('us.anthropic.claude-3-5-haiku-20241022-v1:0');
  });

  it('uses global. only when asked: prefer takes it everywhere, fallback only where no geography serves', () => {
    const global = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    expect(catalogue.bedrockTarget(sonnet45, 'us-east-1', { global: 'prefer' })).toMatchObject({ scope: 'global', geography: 'global', modelId: global });
    expect(catalogue.bedrockTarget(sonnet45, 'us-east-1', { global: 'fallback' })?.modelId).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(catalogue.bedrockTarget(sonnet45, 'sa-east-1', { global: 'fallback' })?.modelId).toBe(global);
    expect(catalogue.bedrockTarget(sonnet45, 'sa-east-1', { global: 'never' })?.modelId).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    // A model without a global profile ignores the preference.
    expect(catalogue.bedrockTarget(haiku35, 'us-east-1', { global: 'prefer' })?.modelId).toBe('us.anthropic.claude-3-5-haiku-20241022-v1:0');
  });

  it('returns the price table that bills the target: regional for geography and in-region, global for global', () => {
    expect(catalogue.bedrockTarget(sonnet45, 'us-east-1')?.prices.input).toBe(3.3);
    expect(catalogue.bedrockTarget(sonnet45, 'sa-east-1')?.prices.input).toBe(3.3);
    expect(catalogue.bedrockTarget(sonnet45, 'us-east-1', { global: 'prefer' })?.prices.input).toBe(3);
  });

  it('has no Bedrock target for a model without Bedrock ids', () => {
    expect(catalogue.bedrockTarget(model('claude-fable-5-1'), 'us-east-1')).toBeUndefined();
  });
});

describe('fromBedrockId', () => {
  it.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5-20250929', 'in-region', undefined],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5-20251001', 'geography', 'us'],
    ['apac.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4-20250514', 'geography', 'apac'],
    ['global.anthropic.claude-opus-4-5-20251101-v1:0', 'claude-opus-4-5-20251101', 'global', 'global'],
    // As taken from a request path: the SDK encodes ':' as %3A.
    ['us.anthropic.claude-haiku-4-5-20251001-v1%3A0', 'claude-haiku-4-5-20251001', 'geography', 'us'],
    // A prefix the catalogue does not list still names the model.
    ['us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5-20250929', 'geography', 'us-gov'],
  ])('%s → %s (%s %s)', (id, entry, scope, geography) => {
    const found = catalogue.fromBedrockId(id);
    expect(found).toMatchObject({ found: true, entry: { id: entry }, scope });
    if (found.found) expect(found.geography).toBe(geography);
  });

  it('reads inference-profile and foundation-model ARNs, keeping their region and account', () => {
    expect(catalogue.fromBedrockId('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      found: true,
      entry: { id: 'claude-sonnet-4-5-20250929' },
      scope: 'geography',
      geography: 'eu',
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(catalogue.fromBedrockId('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0')).toMatchObject({
      found: true,
      entry: { id: 'claude-3-5-haiku-20241022' },
      scope: 'in-region',
      region: 'us-east-1',
      account: '',
    });
    expect(
      catalogue.fromBedrockId('arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-opus-4-1-20250805-v1%3A0'),
    ).toMatchObject({ found: true, entry: { id: 'claude-opus-4-1-20250805' }, geography: 'us', region: 'us-west-2' });
  });

  it('cannot resolve an application inference profile ARN, and says so', () => {
    const result = catalogue.fromBedrockId('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123');
    expect(result).toMatchObject({ found: false, reason: 'application-inference-profile' });
    if (!result.found) expect(result.message).toMatch(/known only to AWS/);
  });

  it('reports other ARNs and unknown ids as not found', () => {
    expect(catalogue.fromBedrockId('arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz')).toMatchObject({ found: false, reason: 'other-arn' });
    expect(catalogue.fromBedrockId('us.anthropic.claude-sonnet-9-v1:0')).toMatchObject({ found: false, reason: 'unknown-model' });
    expect(catalogue.fromBedrockId('meta.llama3-70b-instruct-v1:0')).toMatchObject({ found: false, reason: 'unknown-model' });
    expect(catalogue.fromBedrockId('')).toMatchObject({ found: false, reason: 'unknown-model' });
  });
});

describe('createCatalogue', () => {
  it('refuses data where one id names two models', () => {
    const data = structuredClone(bundledData());
    data.models[1].aliases.push(data.models[0].id);
    expect(() => createCatalogue(data)).toThrow(CatalogueDataError);
    expect(() => createCatalogue(data)).toThrow(`model id ${data.models[0].id} names both`);
  });

  it('refuses a profile for a geography the data does not define', () => {
    const data = structuredClone(bundledData());
    data.models.find((m) => m.bedrock)!.bedrock!.profiles.push('mars');
    expect(() => createCatalogue(data)).toThrow(/unknown geography mars/);
  });
});
