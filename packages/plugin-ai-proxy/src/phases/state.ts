import type { AiExchange } from '../exchange.js';
import type { AliasRule } from './model.js';
import type { Translator, UpstreamPlan } from '../translators/translator.js';

/** Per configured instance (built in `init`). */
export interface AiState {
  pluginId: string;
  /** The pair this instance serves (translators/index.ts); undefined only for a config that skipped validation. */
  translator: Translator<any, any> | undefined;
  /** What the backend keeps per instance (Backend.init). */
  backend: unknown;
  aliases: AliasRule[];
  /** `model` has `$(…)` templates: render it and compile aliases per request. */
  templated: boolean;
}

/** The plugin's per-request `local`. */
export interface AiLocal {
  exchange?: AiExchange;
  /** What `access` decided and `upstream` (re)applies before every attempt (the translator's backend's plan). */
  plan?: UpstreamPlan;
}
