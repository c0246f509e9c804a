import { createCatalogue, type Catalogue } from './catalogue.js';
import { bundledData } from './data.js';

export {
  createCatalogue,
  bedrockPricesFor,
  CatalogueDataError,
  type Catalogue,
  type BedrockTarget,
  type BedrockLookup,
  type GlobalPreference,
  type TargetOptions,
} from './catalogue.js';
export { costUsd, promptTokens, ratesFor, type Usage } from './cost.js';
export { parseBedrockId, type ParsedBedrockId, type BedrockIdKind } from './bedrock-id.js';
export { bundledData, catalogueSchema, DATA_URL, SCHEMA_URL, type JsonSchemaObject } from './data.js';
export type * from './types.js';

let bundled: Catalogue | undefined;

/** The catalogue shipped with gw, built on first use and shared afterwards. */
export function defaultCatalogue(): Catalogue {
  bundled ??= createCatalogue(bundledData());
  return bundled;
}
