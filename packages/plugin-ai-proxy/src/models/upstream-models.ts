/**
 * What a backend says about the model catalogue (@gw/model-catalogue) for one configured upstream: the id
 * it calls a catalogue model by (Bedrock: the inference profile of the region's geography; Anthropic: the
 * id as sent), which ids are already its own (Bedrock ids, profiles, ARNs), and what an upstream id costs.
 * Each backend builds one (Backend.models); model resolution (phases/model.ts), the Models API and pricing
 * read only this interface, so they never look at the provider.
 */
import type { ModelEntry, Prices, Status } from '@gw/model-catalogue';

/**
 * The id to call a catalogue model by; or the id it would be, which no AWS or Anthropic page confirms
 * (refused unless an alias names it); or why this upstream doesn't serve it (words for the client).
 */
export type UpstreamId = { id: string } | { unverified: string } | { refused: string };

/** A catalogue model the upstream id names, and the price table that bills a call to it. */
export interface UpstreamModel {
  entry: ModelEntry;
  prices: Prices | undefined;
}

export interface UpstreamModels {
  /** What passes through besides catalogue ids, for messages: `Bedrock model ids, inference profile ids and ARNs`. */
  readonly nativeIds: string | undefined;
  /** The id this upstream calls `entry` by, `asSent` being the client's id for it (an id or an alias). */
  idFor(entry: ModelEntry, asSent: string): UpstreamId;
  /** `id` is already one of this upstream's own model ids (it goes through as sent). */
  isNative(id: string): boolean;
  /** The catalogue model an upstream id names, for pricing and the Models API; undefined when unknown. */
  lookup(upstreamId: string): UpstreamModel | undefined;
  /** The model's lifecycle on this upstream. */
  status(entry: ModelEntry): Status;
}

/** One model a route serves, as a models list shows it (phases/model.ts, servedModels). */
export interface ServedModel {
  /** The id a client sends. */
  id: string;
  /** The catalogue model the call reaches, when known. */
  entry: ModelEntry | undefined;
  /** The id sent upstream. */
  upstreamId: string;
  /** Its lifecycle on this upstream (`active` when unknown). */
  status: Status;
}
