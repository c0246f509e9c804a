/**
 * The catalogue's lookups. createCatalogue builds its Maps once; every lookup after that is a Map hit
 * and a few string operations, with no I/O, so the proxy can call them per request.
 */
import { parseBedrockId } from './bedrock-id.js';
import { geographyIndex } from './geography.js';
import type { CatalogueData, Geography, ModelEntry, Prices, Source } from './types.js';

/** How the global. profile is used: never (default), prefer it where the model has one, or fall back to it. */
export type GlobalPreference = 'never' | 'prefer' | 'fallback';

export interface TargetOptions {
  global?: GlobalPreference;
}

/** The Bedrock id to call for a model from a region, and the price table that bills it. */
export interface BedrockTarget {
  modelId: string;
  scope: 'in-region' | 'geography' | 'global';
  /** The geography whose profile this is (for scope geography and global). */
  geography?: string;
  prices: Prices;
}

export type BedrockLookup =
  | {
      found: true;
      entry: ModelEntry;
      scope: BedrockTarget['scope'];
      geography?: string;
      /** From an ARN. */
      region?: string;
      account?: string;
    }
  | {
      found: false;
      reason: 'application-inference-profile' | 'other-arn' | 'unknown-model';
      message: string;
    };

export interface Catalogue {
  readonly checked: string;
  readonly sources: Readonly<Record<string, Source>>;
  readonly geographies: readonly Geography[];
  readonly models: readonly ModelEntry[];
  /** A Claude API model id or alias (what the client sent) → its entry. */
  resolve(clientModel: string): ModelEntry | undefined;
  /** The geographies a region's requests may use, most specific first (never global). */
  geographiesFor(region: string): readonly Geography[];
  /** The Bedrock id to call for `entry` from `region`: the geography's profile, else the base id. */
  bedrockTarget(entry: ModelEntry, region: string, options?: TargetOptions): BedrockTarget | undefined;
  /** Any Bedrock model id, inference profile id or ARN → the entry (and geography) it names. */
  fromBedrockId(idOrArn: string): BedrockLookup;
}

export class CatalogueDataError extends Error {
  override name = 'CatalogueDataError';
}

export function createCatalogue(data: CatalogueData): Catalogue {
  const byClientId = new Map<string, ModelEntry>();
  const byBedrockId = new Map<string, ModelEntry>();
  const geographyById = new Map<string, Geography>();
  const geographyByPrefix = new Map<string, Geography>();
  for (const geography of data.geographies) {
    if (geographyById.has(geography.id)) throw new CatalogueDataError(`geography ${geography.id} is listed twice`);
    geographyById.set(geography.id, geography);
    geographyByPrefix.set(geography.prefix.slice(0, -1), geography);
  }
  for (const entry of data.models) {
    for (const id of [entry.id, ...entry.aliases]) {
      const other = byClientId.get(id);
      if (other) throw new CatalogueDataError(`model id ${id} names both ${other.id} and ${entry.id}`);
      byClientId.set(id, entry);
    }
    if (entry.bedrock) {
      const other = byBedrockId.get(entry.bedrock.modelId);
      if (other) throw new CatalogueDataError(`Bedrock id ${entry.bedrock.modelId} names both ${other.id} and ${entry.id}`);
      byBedrockId.set(entry.bedrock.modelId, entry);
      for (const geo of entry.bedrock.profiles) {
        if (!geographyById.has(geo)) throw new CatalogueDataError(`${entry.id} has a profile for unknown geography ${geo}`);
      }
    }
  }
  const byRegion = geographyIndex(data.geographies);
  const none: readonly Geography[] = [];

  function profileTarget(entry: ModelEntry, geography: Geography): BedrockTarget {
    const bedrock = entry.bedrock!;
    const prices = geography.id === 'global' ? (bedrock.prices.global ?? bedrock.prices.regional) : bedrock.prices.regional;
    return {
      modelId: geography.prefix + bedrock.modelId,
      scope: geography.id === 'global' ? 'global' : 'geography',
      geography: geography.id,
      prices,
    };
  }

  return {
    checked: data.checked,
    sources: data.sources,
    geographies: data.geographies,
    models: data.models,
    resolve: (clientModel) => byClientId.get(clientModel),
    geographiesFor: (region) => byRegion.get(region) ?? none,
    bedrockTarget(entry, region, options = {}) {
      const bedrock = entry.bedrock;
      if (!bedrock) return undefined;
      const preference = options.global ?? 'never';
      const global = bedrock.profiles.includes('global') ? geographyById.get('global') : undefined;
      if (preference === 'prefer' && global) return profileTarget(entry, global);
      const geography = (byRegion.get(region) ?? none).find((g) => bedrock.profiles.includes(g.id));
      if (geography) return profileTarget(entry, geography);
      if (preference === 'fallback' && global) return profileTarget(entry, global);
      return { modelId: bedrock.modelId, scope: 'in-region', prices: bedrock.prices.regional };
    },
    fromBedrockId(idOrArn) {
      const parsed = parseBedrockId(idOrArn);
      if (parsed.kind === 'application-inference-profile') {
        return {
          found: false,
          reason: 'application-inference-profile',
          message: `${idOrArn} is an application inference profile: its model is known only to AWS (GetInferenceProfile), not to the catalogue`,
        };
      }
      if (parsed.kind === 'other-arn') {
        return { found: false, reason: 'other-arn', message: `${idOrArn} is a Bedrock ${parsed.resourceType} ARN, which names no catalogue model` };
      }
      const where = parsed.region === undefined ? {} : { region: parsed.region, account: parsed.account };
      const direct = byBedrockId.get(parsed.id);
      if (direct) return { found: true, entry: direct, scope: 'in-region', ...where };
      const dot = parsed.id.indexOf('.');
      const entry = dot > 0 ? byBedrockId.get(parsed.id.slice(dot + 1)) : undefined;
      if (entry) {
        const prefix = parsed.id.slice(0, dot);
        const geography = geographyByPrefix.get(prefix);
        // A prefix the catalogue does not list (ca., us-gov., …) still names the model; price it as regional.
        return { found: true, entry, scope: geography?.id === 'global' ? 'global' : 'geography', geography: geography?.id ?? prefix, ...where };
      }
      return { found: false, reason: 'unknown-model', message: `${idOrArn} is not a Bedrock id of any model in the catalogue` };
    },
  };
}

/** The price table a Bedrock call was billed at, for an id found by fromBedrockId. */
export function bedrockPricesFor(entry: ModelEntry, scope: BedrockTarget['scope']): Prices | undefined {
  if (!entry.bedrock) return undefined;
  return scope === 'global' ? (entry.bedrock.prices.global ?? entry.bedrock.prices.regional) : entry.bedrock.prices.regional;
}
