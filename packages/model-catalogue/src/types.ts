/**
 * The catalogue's shape: mirrors schema/catalogue.schema.json (the single source; the schema test checks
 * the data against it). Prices are USD per million tokens; null means no source confirmed the figure.
 */

export type Price = number | null;

export interface Rates {
  input: Price;
  output: Price;
  cacheWrite5m: Price;
  cacheWrite1h: Price;
  cacheRead: Price;
}

/** A price table; `above` replaces every rate of a request whose prompt exceeds `promptTokens`. */
export interface Prices extends Rates {
  above?: Rates & { promptTokens: number };
  note?: string;
}

export type Status = 'active' | 'legacy' | 'deprecated' | 'retired';
export type Thinking = 'none' | 'extended' | 'extended-and-adaptive' | 'adaptive' | 'adaptive-always-on';

export interface BedrockInfo {
  /** Base (in-region) model id, e.g. anthropic.claude-sonnet-4-5-20250929-v1:0. */
  modelId: string;
  /** Geographies with a system-defined inference profile (its id is the geography's prefix + modelId). */
  profiles: string[];
  status?: Status;
  /** false: the ids come from weaker evidence than an AWS or Anthropic page (see note). */
  verified: boolean;
  prices: { regional: Prices; global?: Prices };
  note?: string;
}

export interface ModelEntry {
  id: string;
  name: string;
  aliases: string[];
  contextWindow?: number;
  maxOutput?: number;
  thinking: Thinking;
  anthropic: { status?: Status; retires?: string; prices: Prices };
  bedrock?: BedrockInfo;
  sources: string[];
  note?: string;
}

export interface Geography {
  id: string;
  prefix: string;
  name: string;
  /** Source regions; empty for global (every commercial region). */
  regions: string[];
  sources: string[];
  note?: string;
}

export interface Source {
  url: string;
  title: string;
  note?: string;
}

export interface CatalogueData {
  checked: string;
  note?: string;
  sources: Record<string, Source>;
  geographies: Geography[];
  models: ModelEntry[];
}
