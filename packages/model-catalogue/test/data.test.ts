/** The data file: valid against its schema, ids well-formed, every citation resolvable, prices consistent. */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { bundledData, catalogueSchema, createCatalogue, type CatalogueData, type Prices } from '@gw/model-catalogue';

const data = bundledData();
const validate = new Ajv({ allErrors: true, strict: true }).compile(catalogueSchema());

describe('catalogue data', () => {
  it('is valid against schema/catalogue.schema.json', () => {
    expect(validate(data), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('fails the schema when a price is not a number, so the check above can fail', () => {
    const broken = structuredClone(data) as unknown as { models: { anthropic: { prices: { input: unknown } } }[] };
    broken.models[0].anthropic.prices.input = '3';
    expect(validate(broken)).toBe(false);
  });

  it('is dated with a real calendar day', () => {
    expect(new Date(`${data.checked}T00:00:00Z`).toISOString().slice(0, 10)).toBe(data.checked);
  });

  it('builds into a catalogue (no id or alias names two models, every profile geography exists)', () => {
    expect(() => createCatalogue(data)).not.toThrow();
  });

  it('has well-formed Claude API ids and aliases', () => {
    for (const model of data.models) {
      for (const id of [model.id, ...model.aliases]) expect(id).toMatch(/^claude-(opus|sonnet|haiku|fable|\d-\d-(sonnet|haiku))(-\d+)*(-\d{8}|-latest)?$/);
    }
  });

  it('has well-formed Bedrock ids, and every profile id is the geography prefix plus the base id', () => {
    const prefixes = new Map(data.geographies.map((g) => [g.id, g.prefix]));
    for (const model of data.models) {
      if (!model.bedrock) continue;
      expect(model.bedrock.modelId).toMatch(/^anthropic\.claude-[a-z0-9]+(-[a-z0-9]+)*(-v\d+(:\d+)?)?$/);
      for (const geo of model.bedrock.profiles) {
        const id = prefixes.get(geo)! + model.bedrock.modelId;
        expect(id).toMatch(/^(us|eu|jp|au|apac|global)\.anthropic\.claude-/);
        expect(createCatalogue(data).fromBedrockId(id)).toMatchObject({ found: true, entry: { id: model.id }, geography: geo });
      }
    }
  });

  it('gives every region to at most one geography of each kind, and lists jp and au before apac', () => {
    const order = data.geographies.map((g) => g.id);
    expect(order.indexOf('jp')).toBeLessThan(order.indexOf('apac'));
    expect(order.indexOf('au')).toBeLessThan(order.indexOf('apac'));
    for (const geography of data.geographies) {
      for (const region of geography.regions) expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    }
    expect(data.geographies.find((g) => g.id === 'global')!.regions).toEqual([]);
  });

  it('cites only sources it lists, and lists no source nothing cites', () => {
    const cited = new Set([...data.models.flatMap((m) => m.sources), ...data.geographies.flatMap((g) => g.sources)]);
    for (const key of cited) expect(data.sources, key).toHaveProperty(key);
    for (const key of Object.keys(data.sources)) expect(cited, key).toContain(key);
  });

  it('keeps the documented cache multipliers: 5-minute writes 1.25x input, 1-hour writes 2x', () => {
    for (const model of data.models) {
      for (const prices of priceTables(model)) {
        for (const rates of [prices, ...(prices.above ? [prices.above] : [])]) {
          if (rates.input === null) continue;
          if (rates.cacheWrite5m !== null) expect(rates.cacheWrite5m, model.id).toBeCloseTo(rates.input * 1.25, 9);
          if (rates.cacheWrite1h !== null) expect(rates.cacheWrite1h, model.id).toBeCloseTo(rates.input * 2, 9);
        }
      }
    }
  });

  it('prices Bedrock geography profiles 10% above global wherever a global price differs', () => {
    for (const model of data.models) {
      const global = model.bedrock?.prices.global;
      if (!global) continue;
      const regional = model.bedrock!.prices.regional;
      for (const kind of ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const) {
        if (global[kind] === null) continue;
        expect(regional[kind], `${model.id} ${kind}`).toBeCloseTo(global[kind]! * 1.1, 9);
      }
      // Since the 4.5 generation, Bedrock's global profile costs what the Claude API costs.
      expect(global.input, model.id).toBe(model.anthropic.prices.input);
      expect(global.output, model.id).toBe(model.anthropic.prices.output);
    }
  });

  it('covers the ids Claude Code sends, first-party and Bedrock', () => {
    const catalogue = createCatalogue(data);
    for (const id of ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-sonnet-4-5', 'claude-opus-4-5']) {
      expect(catalogue.resolve(id), id).toBeDefined();
    }
    for (const id of [
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'us.anthropic.claude-opus-4-6-v1',
      'us.anthropic.claude-opus-5-5',
    ]) {
      expect(catalogue.fromBedrockId(id).found, id).toBe(true);
    }
  });

  it('marks Bedrock ids that no AWS or Anthropic page confirmed, and says why', () => {
    for (const model of data.models) {
      if (model.bedrock && !model.bedrock.verified) expect(model.bedrock.note, model.id).toMatch(/third-party|probe|not/);
    }
  });
});

function priceTables(model: CatalogueData['models'][number]): Prices[] {
  const tables: Prices[] = [model.anthropic.prices];
  if (model.bedrock) tables.push(model.bedrock.prices.regional, ...(model.bedrock.prices.global ? [model.bedrock.prices.global] : []));
  return tables;
}
