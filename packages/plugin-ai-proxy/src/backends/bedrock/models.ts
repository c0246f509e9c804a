/**
 * The catalogue as Bedrock serves it from one region (models/upstream-models.ts): a Claude API id maps to
 * the inference profile of the region's geography (`model.options.bedrock.inference_profile`), the
 * upstream's own ids (base ids, profile ids, ARNs) pass through, and an id is priced at the regional or
 * the global table as its prefix says.
 */
import { bedrockPricesFor, defaultCatalogue, type Catalogue, type GlobalPreference } from '@gw/model-catalogue';
import type { BedrockOptions } from '../../config/types.js';
import type { UpstreamModels } from '../../models/upstream-models.js';

/** `model.options.bedrock.inference_profile` (gw extension). */
type InferenceProfile = NonNullable<BedrockOptions['inference_profile']>;

const GLOBAL: Record<Exclude<InferenceProfile, 'none'>, GlobalPreference> = {
  geography: 'never',
  global: 'prefer',
  geography_then_global: 'fallback',
};

/** A Bedrock id as clients send one: an ARN, or `<provider>.<model>` with an optional geography prefix. First-party ids have no dot. */
const BEDROCK_ID = /^(?:arn:aws[a-z-]*:bedrock:|[a-z0-9-]+\.[a-z0-9])/;

export function isBedrockId(id: string): boolean {
  return BEDROCK_ID.test(id);
}

export function bedrockModels(region: string, profile: InferenceProfile = 'geography', catalogue: Catalogue = defaultCatalogue()): UpstreamModels {
  return {
    nativeIds: 'Bedrock model ids, inference profile ids and ARNs',
    idFor(entry) {
      const bedrock = entry.bedrock;
      if (bedrock === undefined) return { refused: `gw's model catalogue has no Bedrock id for ${entry.id}` };
      const id = profile === 'none' ? bedrock.modelId : catalogue.bedrockTarget(entry, region, { global: GLOBAL[profile] })!.modelId;
      return bedrock.verified ? { id } : { unverified: id };
    },
    isNative: isBedrockId,
    lookup(upstreamId) {
      const found = catalogue.fromBedrockId(upstreamId);
      return found.found ? { entry: found.entry, prices: bedrockPricesFor(found.entry, found.scope) } : undefined;
    },
    // Bedrock's lifecycle where the catalogue has it; Anthropic retiring a model says nothing about Bedrock.
    status: (entry) => entry.bedrock?.status ?? 'active',
  };
}

/** Views are pure functions of (region, profile): keep a few, not one per request (a templated region is bounded by the cap). */
const CACHE_LIMIT = 64;
const cache = new Map<string, UpstreamModels>();

export function cachedBedrockModels(region: string, profile: InferenceProfile): UpstreamModels {
  const key = `${profile} ${region}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const models = bedrockModels(region, profile);
  if (cache.size < CACHE_LIMIT) cache.set(key, models);
  return models;
}
