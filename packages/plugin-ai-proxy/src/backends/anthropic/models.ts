/**
 * The catalogue as the Anthropic API serves it (models/upstream-models.ts): a Claude API id or alias goes
 * as sent (the API resolves its own aliases), priced at the Claude API table.
 */
import { defaultCatalogue, type Catalogue } from '@gw/model-catalogue';
import type { UpstreamModels } from '../../models/upstream-models.js';

export function anthropicModels(catalogue: Catalogue = defaultCatalogue()): UpstreamModels {
  return {
    nativeIds: undefined,
    idFor: (_entry, asSent) => ({ id: asSent }),
    isNative: () => false,
    lookup(upstreamId) {
      const entry = catalogue.resolve(upstreamId);
      return entry === undefined ? undefined : { entry, prices: entry.anthropic.prices };
    },
    status: (entry) => entry.anthropic.status ?? 'active',
  };
}

let shared: UpstreamModels | undefined;

/** One view for every instance: it depends on nothing in the config. */
export function sharedAnthropicModels(): UpstreamModels {
  shared ??= anthropicModels();
  return shared;
}
